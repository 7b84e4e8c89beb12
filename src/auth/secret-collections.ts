/**
 * System collections whose content is a secret: password hashes (`_system/_users`), access
 * tokens (`_system/_tokens`: whoever writes a record there logs in as any user) and service
 * bundles (`_appbundles`, which may carry credentials in their code). As in ArangoDB
 * (`ExecContext::collectionAuthLevel`), no user has access to them, root included: only the
 * server itself (a superuser JWT, or authentication switched off) reads them. Users are managed
 * through `/_api/user`, tokens through `/_api/token`, services through `/_api/foxx`; the server's
 * own stores (`UserStore`, `AccessTokenStore`) use the storage directly.
 */
export function isSecretCollection(database: string, collection: string): boolean {
  if (collection === '_appbundles') return true;
  return (collection === '_users' || collection === '_tokens') && database === '_system';
}
