import { Api, privateToken } from './api.js';
import type { RunningTrove } from './trove-process.js';

// Builds accounts through the real REST API, as an administrator would.

export interface TestUser {
  id: number;
  username: string;
  token: string;
  api: Api;
}

export class World {
  readonly root: Api;

  constructor(readonly trove: RunningTrove) {
    this.root = new Api(trove.baseUrl, privateToken(trove.rootToken));
  }

  async user(username: string, scopes: string[] = ['api'], tokenName = `${username}-token`): Promise<TestUser> {
    const user = await this.root.expect(201, 'POST', '/api/v4/users', { username, email: `${username}@example.com`, name: username, password: 'correct-horse-battery' });
    const token = await this.root.expect(201, 'POST', `/api/v4/users/${user.id}/personal_access_tokens`, { name: tokenName, scopes });
    return { id: user.id, username, token: token.token, api: new Api(this.trove.baseUrl, privateToken(token.token)) };
  }

  async token(user: TestUser, name: string, scopes: string[]): Promise<{ id: number; token: string }> {
    const created = await this.root.expect(201, 'POST', `/api/v4/users/${user.id}/personal_access_tokens`, { name, scopes });
    return { id: created.id, token: created.token };
  }

  async group(path: string, parentId?: number, visibility = 'private'): Promise<{ id: number; full_path: string }> {
    return this.root.expect(201, 'POST', '/api/v4/groups', { name: path, path, parent_id: parentId, visibility });
  }

  async project(path: string, namespaceId: number | string, visibility = 'private'): Promise<{ id: number; path_with_namespace: string }> {
    return this.root.expect(201, 'POST', '/api/v4/projects', { name: path, path, namespace_id: namespaceId, visibility });
  }

  async addMember(kind: 'groups' | 'projects', id: number, user: TestUser, accessLevel: number): Promise<void> {
    await this.root.expect(201, 'POST', `/api/v4/${kind}/${id}/members`, { user_id: user.id, access_level: accessLevel });
  }

  async deployToken(kind: 'groups' | 'projects', id: number, name: string, scopes: string[]): Promise<{ id: number; token: string; username: string }> {
    return this.root.expect(201, 'POST', `/api/v4/${kind}/${id}/deploy_tokens`, { name, scopes });
  }

  async jobToken(projectId: number, body: Record<string, unknown>): Promise<{ id: number; token: string; expires_at: string }> {
    return this.root.expect(201, 'POST', `/api/v4/projects/${projectId}/ci/job_tokens`, body);
  }
}
