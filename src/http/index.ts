export { createHttpServer, send, type HttpServerDeps, type RequestGate } from './server.ts';
export { Router, type Handler, type RouteOptions } from './router.ts';
export { RequestContext, type HttpReply } from './context.ts';
export { sendError } from './error-response.ts';
export { registerApi } from './register-api.ts';
export { ARANGO_VERSION, type ServerInfo } from './api/admin-api.ts';
export { closeHttpServer } from './close-http-server.ts';
export { toHttpEndpoint, trustPeerCertificates } from './peer-tls.ts';
