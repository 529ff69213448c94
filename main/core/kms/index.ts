export type { KmsAdapter, RemoteKeyState, RemoteKeyStateName, WrappedMaterial, AdapterConfig, AdapterCredentials, AdapterOptions, ConnectedProvider } from './adapter.ts';
export { createAdapter } from './create-adapter.ts';
export { mapProviderError, transportError, AWS_ERRORS, TENCENT_ERRORS, HUAWEI_ERRORS } from './errors.ts';
