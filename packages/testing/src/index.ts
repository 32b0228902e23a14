export { backendName, missing, postgresUrl, redisUrl, servicesRequired } from "./services";
export { childEnv } from "./env";
export { createScratchPostgres, createTestDatabase, type TestDatabase } from "./database";
export { freePort, repoRoot, startNodeProcess, waitFor } from "./processes";
export type { NodeProcess, StartNodeProcessOptions } from "./processes";
export {
  findServerBinaries,
  missingServerBinaries,
  serverBinaries,
  type ServerBinaries,
} from "./binaries";
export {
  nginxConfig,
  portOpen,
  startNginx,
  startPrivatePostgres,
  startPrivateRedis,
} from "./private-services";
export type { PrivateNginx, PrivateService } from "./private-services";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy";
export { eventually } from "./eventually";
export { startS3rver, type TestS3 } from "./s3";
export { sampleDocx, sampleJpeg, samplePdf, samplePng } from "./file-samples";
export { fetchTrusting, makeCertificates, type TestCertificates } from "./tls";
