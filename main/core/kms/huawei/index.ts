export { createHuaweiAdapter } from './huawei-adapter.ts';
export { HuaweiKmsClient, type HuaweiOperation } from './client.ts';
export { signRequest, signStringToSign, canonicalRequest, sdkDate } from './signer.ts';
