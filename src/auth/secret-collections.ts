/**
 * System collections whose content is a secret: password hashes (`_system/_users`) and service
 * bundles (`_appbundles`, which may carry credentials in their code). As in ArangoDB
 * (`ExecContext::collectionAuthLevel`), no user has access to them, root included: only the
 * server itself (a superuser JWT, or authentication switched off) reads them. Users are managed
 * through `/_api/user`, services through `/_api/foxx`.
 */
export function isSecretCollection(database: string, collection: string): boolean {
  if (collection === '_appbundles') return true;
  return collection === '_users' && database === '_system';
}
