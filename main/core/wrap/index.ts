// The wrapping core's public face.
export { aesKeyUnwrap, aesKeyUnwrapPad, aesKeyWrap, aesKeyWrapPad } from './aes-kwp.ts';
export { decodeBase64Strict, decodeBase64UrlStrict, encodeBase64, encodeBase64Url, parseBase64 } from './base64.ts';
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  canonicalJson,
  createBundle,
  ed25519Signer,
  verifyBundle,
  wrappedForBundle,
  type BundleFields,
  type BundleInput,
  type BundleSigner,
  type ParsedBundle,
  type VerifyBundleOptions,
} from './bundle.ts';
export { checkWrapRequest, type WrapDecision, type WrapRequest } from './check-params.ts';
export { parseImportParameters, type ImportParameters, type ParseImportParametersOptions } from './import-params.ts';
export { parseMaterialExpiry } from './material-expiry.ts';
export { GENERATOR, providerNativeFiles, type NativeFilesInput } from './native-files.ts';
export { planOutputs, writeOutputs, type OutputFile, type PlannedFile, type WrittenFile } from './outputs.ts';
export { wrapMaterial, type WrapMaterialInput, type WrappedMaterial } from './wrap-material.ts';
