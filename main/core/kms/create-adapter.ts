// The one place that picks an adapter for a provider type.
import type { AdapterConfig, AdapterCredentials, AdapterOptions, ConnectedProvider, KmsAdapter } from './adapter.ts';
import { createAwsAdapter } from './aws/aws-adapter.ts';
import { createHuaweiAdapter } from './huawei/huawei-adapter.ts';
import { createTencentAdapter } from './tencent/tencent-adapter.ts';

const FACTORIES: Record<ConnectedProvider, (config: AdapterConfig, credentials: AdapterCredentials, options?: AdapterOptions) => KmsAdapter> = {
  aws: createAwsAdapter,
  tencent: createTencentAdapter,
  huawei: createHuaweiAdapter,
};

export function createAdapter(config: AdapterConfig, credentials: AdapterCredentials, options: AdapterOptions = {}): KmsAdapter {
  return FACTORIES[config.type](config, credentials, options);
}
