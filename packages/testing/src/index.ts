export { missing, postgresUrl, redisUrl, servicesRequired } from "./services";
export { createScratchPostgres, createTestDatabase, type TestDatabase } from "./database";
