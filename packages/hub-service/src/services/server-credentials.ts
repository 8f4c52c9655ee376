import { oauthClientId } from '@clusterhub/shared';
import type { Store, ServerRecord, UserRecord } from '../store/store';
import { newToken, sha256Hex } from '../lib/secrets';

/**
 * Scopes a server's OAuth client may grant: access to that server (JupyterHub's rule) and, beyond
 * JupyterHub's default, reading the owner's servers and budgets, so the Lab panels can show them.
 */
export function oauthClientScopes(userName: string, serverName: string): string[] {
  return [`access:servers!server=${userName}/${serverName}`, `read:servers!user=${userName}`, `read:budgets!user=${userName}`];
}

/**
 * A server's credentials: its API token (role `server`) and its OAuth client, whose secret is
 * that token (protocol.md §4.1). Issued at each start, revoked at stop together with the browser
 * tokens the client handed out.
 */
export class ServerCredentials {
  constructor(private readonly store: Store) {}

  /** Revokes old credentials of the server, then issues a new token and (re)registers its OAuth client. Returns the raw token. */
  async issue(user: UserRecord, server: ServerRecord, prefix: string): Promise<string> {
    const token = newToken();
    await this.store.transaction(async (tx) => {
      await tx.tokens.deleteWhere({ serverId: server.id, kind: 'server' });
      await tx.tokens.create({
        kind: 'server',
        userId: user.id,
        serviceName: null,
        prefix: token.slice(0, 4),
        hash: sha256Hex(token),
        scopes: [],
        note: `Server at ${prefix}`,
        expiresAt: null,
        sessionId: null,
        oauthClientId: null,
        serverId: server.id,
      });
      await tx.oauth.upsertClient({
        id: oauthClientId(user.name, server.name),
        secretHash: sha256Hex(token),
        redirectUri: `${prefix}oauth_callback`,
        description: `Server at ${prefix}`,
        allowedScopes: oauthClientScopes(user.name, server.name),
        serverId: server.id,
      });
    });
    return token;
  }

  /** Deletes the server token, the OAuth client and every token issued through that client. */
  async revoke(user: UserRecord, server: ServerRecord): Promise<void> {
    const clientId = oauthClientId(user.name, server.name);
    await this.store.transaction(async (tx) => {
      await tx.tokens.deleteWhere({ serverId: server.id, kind: 'server' });
      await tx.tokens.deleteWhere({ oauthClientId: clientId });
      await tx.oauth.deleteClient(clientId);
    });
  }
}
