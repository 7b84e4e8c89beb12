export { createRouter, Router } from './router.ts';
export { Endpoint, MiddlewareMount, RouterMount, tokenisePath, type Handler, type MiddlewareFunction, type MiddlewareObject, type NextFunction } from './endpoint.ts';
export { SwaggerContext, mergeContexts, type BodyDefinition, type ParamDefinition, type ResponseDefinition } from './swagger-context.ts';
export { FoxxRequest } from './request.ts';
export { FoxxResponse, type CookieOptions, type FileReader, type HeaderValue } from './response.ts';
export { HttpError, createHttpError, isHttpError, resolveStatus, STATUS_TEXT, type HttpErrorOptions } from './http-error.ts';
export { dispatch, compileRoutes, type DispatchOptions, type FoxxRequestData, type FoxxResponseData } from './dispatch.ts';
export { compileRouter, flattenRoutes, type RouteTree } from './tree.ts';
export { normaliseModel, isSchema, type Model, type NormalisedModel, type Schema, type ValidationResult } from './schema.ts';
