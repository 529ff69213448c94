export { startBridge, BRIDGE_CSP, type Bridge, type BridgeOptions } from './bridge-server.ts';
