export { createAwsAdapter } from './aws-adapter.ts';
