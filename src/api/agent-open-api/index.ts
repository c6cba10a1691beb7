export * from './agent-open-api.js';
export type { AgentScope } from './agent-open-api-scope.js';
