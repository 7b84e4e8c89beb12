import querystring from 'node:querystring';

interface OAuth2Options {
  authEndpoint?: string;
  tokenEndpoint?: string;
  refreshEndpoint?: string;
  activeUserEndpoint?: string;
  clientId?: string;
  clientSecret?: string;
}

interface RequestResponse {
  status: number;
  statusCode?: number;
  body: unknown;
  headers: Record<string, string>;
}

export type RequestFn = ((opts: Record<string, unknown>) => RequestResponse) & {
  get(url: string, opts?: Record<string, unknown>): RequestResponse;
  post(url: string, opts?: Record<string, unknown>): RequestResponse;
};

function withQuery(url: string, params: Record<string, unknown>): string {
  const q = querystring.stringify(params as querystring.ParsedUrlQueryInput);
  return q === '' ? url : `${url}${url.includes('?') ? '&' : '?'}${q}`;
}

/** A provider's answer: JSON, or a form-encoded body (Facebook, GitHub answer so). */
function parseAnswer(res: RequestResponse, what: string): Record<string, unknown> {
  const status = res.status ?? res.statusCode ?? 0;
  const text = typeof res.body === 'string' ? res.body : res.body instanceof Uint8Array ? Buffer.from(res.body).toString('utf8') : JSON.stringify(res.body ?? null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    parsed = { ...querystring.parse(text) };
  }
  if (status >= 400) {
    const err = new Error(`OAuth2 ${what} failed with status ${status}`) as Error & { statusCode: number; body: unknown };
    err.statusCode = status;
    err.body = parsed;
    throw err;
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
}

/**
 * `@arangodb/foxx/oauth2`: `createOAuth2Client(options)` with `getAuthUrl`, `exchangeGrantToken`,
 * `refreshToken`... over `@arangodb/request` (so the calls obey `--javascript.endpoints-allowlist`).
 */
export function createOAuth2Module(request: RequestFn): (options: OAuth2Options) => Record<string, unknown> {
  return (options) => {
    const o = options ?? {};
    for (const required of ['authEndpoint', 'tokenEndpoint', 'clientId', 'clientSecret'] as const) {
      if (typeof o[required] !== 'string' || o[required] === '') throw new Error(`OAuth2 client requires the option "${required}"`);
    }
    const auth = o.authEndpoint as string;
    const token = o.tokenEndpoint as string;
    const form = (grant: Record<string, unknown>): Record<string, unknown> => ({ client_id: o.clientId, client_secret: o.clientSecret, ...grant });
    return {
      getAuthUrl(redirectUri?: string, args: Record<string, unknown> = {}): string {
        const params: Record<string, unknown> = { response_type: 'code', ...args, client_id: o.clientId };
        if (redirectUri !== undefined && redirectUri !== null) params.redirect_uri = redirectUri;
        return withQuery(auth, params);
      },
      exchangeGrantToken(code: string, redirectUri?: string): Record<string, unknown> {
        const grant: Record<string, unknown> = { grant_type: 'authorization_code', code };
        if (redirectUri !== undefined && redirectUri !== null) grant.redirect_uri = redirectUri;
        return parseAnswer(request.post(token, { form: form(grant), headers: { accept: 'application/json' } }), 'token exchange');
      },
      refreshToken(refresh: string): Record<string, unknown> {
        const url = o.refreshEndpoint ?? token;
        return parseAnswer(request.post(url, { form: form({ grant_type: 'refresh_token', refresh_token: refresh }), headers: { accept: 'application/json' } }), 'token refresh');
      },
      fetchActiveUser(accessToken: string): Record<string, unknown> | null {
        if (o.activeUserEndpoint === undefined) return null;
        return parseAnswer(
          request.get(withQuery(o.activeUserEndpoint, { access_token: accessToken }), { headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } }),
          'active user lookup',
        );
      },
    };
  };
}
