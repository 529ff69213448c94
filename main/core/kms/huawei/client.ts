// A small typed client for Huawei Cloud KMS's JSON API: POST /v1.0/{project_id}/kms/<op>, signed
// with SDK-HMAC-SHA256, errors decoded from both KMS and API-gateway error shapes.
import type { ByokError } from '../../../../shared/errors.ts';
import { mapProviderError, transportError } from '../errors.ts';
import { signRequest } from './signer.ts';

export interface HuaweiClientOptions {
  baseUrl: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
  securityToken?: string;
  timeoutMs: number;
  now?: () => Date;
}

export type HuaweiOperation =
  | 'create-key'
  | 'get-parameters-for-import'
  | 'import-key-material'
  | 'delete-imported-key-material'
  | 'describe-key'
  | 'list-keys'
  | 'get-publickey';

export class HuaweiKmsClient {
  private readonly options: HuaweiClientOptions;

  constructor(options: HuaweiClientOptions) {
    this.options = options;
  }

  async call(operation: HuaweiOperation, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const url = new URL(`/v1.0/${encodeURIComponent(this.options.projectId)}/kms/${operation}`, this.options.baseUrl);
    const payload = JSON.stringify(body);
    const headers = signRequest(
      {
        method: 'POST',
        url,
        headers: {
          'Content-Type': 'application/json;charset=UTF-8',
          'X-Project-Id': this.options.projectId,
          ...(this.options.securityToken ? { 'X-Security-Token': this.options.securityToken } : {}),
        },
        body: payload,
      },
      { accessKey: this.options.accessKey, secretKey: this.options.secretKey },
      (this.options.now ?? (() => new Date()))(),
    );
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      const name = (error as { name?: string }).name;
      throw transportError('huawei', operation, name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network');
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw transportError('huawei', operation, 'network');
    }
    let parsed: unknown;
    try {
      parsed = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw response.ok ? transportError('huawei', operation, 'malformed') : this.failure(operation, response.status, undefined);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw transportError('huawei', operation, 'malformed');
    if (!response.ok) throw this.failure(operation, response.status, parsed as Record<string, unknown>);
    return parsed as Record<string, unknown>;
  }

  private failure(operation: string, status: number, reply: Record<string, unknown> | undefined): ByokError {
    // KMS errors: {"error":{"error_code","error_msg"}}; gateway errors: {"error_code","error_msg"}.
    const inner = reply && typeof reply.error === 'object' && reply.error !== null ? (reply.error as Record<string, unknown>) : reply;
    const code = typeof inner?.error_code === 'string' ? inner.error_code : `HTTP ${status}`;
    const message = typeof inner?.error_msg === 'string' ? inner.error_msg : undefined;
    const secrets = [this.options.secretKey, this.options.accessKey, ...(this.options.securityToken ? [this.options.securityToken] : [])];
    return mapProviderError('huawei', { providerCode: code, httpStatus: status, ...(message ? { providerMessage: message } : {}) }, operation, secrets);
  }
}
