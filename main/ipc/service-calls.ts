// How each service channel calls the core: the table key is the CeremonyService method; this adapts the
// validated request object to the method's own parameters. Typed so that a request the schema accepts is
// exactly what the method takes, and the method's reply is what the reply schema checks.
import type { z } from 'zod';
import type { CeremonyService, RunOptions } from '../../shared/ceremony-api.ts';
import type { SERVICE_CHANNELS, ServiceChannelName } from '../../shared/ipc.ts';

type Request<K extends ServiceChannelName> = z.output<(typeof SERVICE_CHANNELS)[K]['request']>;
type Reply<K extends ServiceChannelName> = z.input<(typeof SERVICE_CHANNELS)[K]['reply']>;

export type ServiceCall<K extends ServiceChannelName> = (
  service: CeremonyService,
  request: Request<K>,
  options: RunOptions,
) => Promise<Reply<K>>;

export const SERVICE_CALLS: { readonly [K in ServiceChannelName]: ServiceCall<K> } = Object.freeze({
  vaultInfo: (service) => service.vaultInfo(),
  reconcile: (service) => service.reconcile(),
  generateKeys: (service, request, options) => service.generateKeys(request, options),
  listKeys: (service, request) => service.listKeys(request),
  keyHistory: (service, request) => service.keyHistory(request.keyId),
  inspectParams: (service, request) => service.inspectParams(request),
  wrap: (service, request, options) => service.wrap(request, options),
  wrapAll: (service, request, options) => service.wrapAll(request, options),
  verifyBundle: (service, request) => service.verifyBundle(request),
  backupVerify: (service, request, options) => service.backupVerify(request, options),
  backupRestore: (service, request) => service.backupRestore(request),
  vaultRebuild: (service, request) => service.vaultRebuild(request),
  sharesSplit: (service, request) => service.sharesSplit(request),
  sharesCombine: (service, request) => service.sharesCombine(request),
  escrowWrite: (service, request) => service.escrowWrite(request),
  auditVerify: (service) => service.auditVerify(),
  auditList: (service, request) => service.auditList(request),
  auditExport: (service, request) => service.auditExport(request),
  providerAdd: (service, request) => service.providerAdd(request),
  providerList: (service) => service.providerList(),
  providerRemove: (service, request) => service.providerRemove(request),
  sync: (service, request, options) => service.sync(request, options),
  syncJobs: (service) => service.syncJobs(),
  remoteCreateKey: (service, request) => service.remoteCreateKey(request),
  remoteParams: (service, request) => service.remoteParams(request),
  importBundle: (service, request, options) => service.importBundle(request, options),
  renewKey: (service, request) => service.renewKey(request),
  deleteMaterial: (service, request) => service.deleteMaterial(request),
  offlineCheck: (service) => service.offlineCheck(),
  planCheck: (service, request) => service.planCheck(request),
  recordCeremonyStep: (service, request) => service.recordCeremonyStep(request),
});
