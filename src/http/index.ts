export { createHttpServer, createListener, send, serverTlsOf, type HttpServerDeps, type RequestGate, type ServerTls } from './server.ts';
export { Router, type Handler, type RouteOptions } from './router.ts';
export { RequestContext, type HttpReply } from './context.ts';
export { sendError } from './error-response.ts';
export { registerApi } from './register-api.ts';
export { ARANGO_VERSION, type ServerInfo } from './api/admin-api.ts';
export { closeHttpServer } from './close-http-server.ts';
export { peerCa, toHttpEndpoint, trustPeerCertificates } from './peer-tls.ts';
export { BodyBudget, bodyBudgetOf, readBody, withBody } from './body.ts';
