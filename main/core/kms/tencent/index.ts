export { createTencentAdapter, TENCENT_KMS_ENDPOINT } from './tencent-adapter.ts';
export { routingAgent } from './routing-agent.ts';
