import { SimdockError } from '../../domain/index.js';

/**
 * Every operation of the agent open API, in the order of the document's menu ("物联卡" and
 * "物联设备"), with its path. Only `/openapi/iot/queryDeviceFlow` is published
 * (agent-openapi-v2-querydeviceflow.txt); the others are published by name only, so their paths
 * follow the same pattern (PROTOCOL-NOTES.md: guess) and configuration can override each one.
 */
export const AGENT_OPERATIONS = [
  /** 批量查询卡板信息 (100). */
  'batchQueryCardInfo',
  /** 批量订阅卡板信息 (100). */
  'batchSubscribeCardInfo',
  /** 批量查询卡板最新状态 (10). */
  'batchQueryCardStatus',
  /** 批量查询卡板实时流量 (10). */
  'batchQueryCardRealtimeFlow',
  /** 批量查询卡板指定月流量 (10). */
  'batchQueryCardMonthFlow',
  /** 批量停机 (100). */
  'batchStopCard',
  /** 批量复机 (100). */
  'batchRestoreCard',
  /** 单卡机卡绑定. */
  'bindCardImei',
  /** 单卡限速. */
  'limitCardSpeed',
  /** 单卡解除限速. */
  'unlimitCardSpeed',
  /** 单卡/设备订购套餐包. */
  'orderPackage',
  /** 获取官方实名链接. */
  'getRealNameUrl',
  /** 清除官方实名. */
  'clearRealName',
  /** 查询卡板操作记录. */
  'queryCardOperationRecords',
  /** 查询账户资产. */
  'queryAccountAssets',
  /** 查询设备流量 (published). */
  'queryDeviceFlow',
  /** 查询设备信息. */
  'queryDeviceInfo',
  /** 设备切换网络. */
  'switchDeviceNetwork',
  /** 设备重启. */
  'rebootDevice',
  /** 设备重置. */
  'resetDevice',
  /** 设备关机. */
  'shutdownDevice',
  /** 修改wifi显示隐藏. */
  'updateDeviceWifiShow',
  /** 修改wifi账号密码. */
  'updateDeviceWifiAccount',
  /** 设备停机. */
  'stopDevice',
  /** 设备复机. */
  'restoreDevice',
  /** 获取移动终端认证Token. */
  'getTerminalToken',
] as const;

export type AgentOperation = (typeof AGENT_OPERATIONS)[number];

export type AgentPaths = Record<AgentOperation, string>;

/** The default path of every operation: `/openapi/iot/<operation>`. */
export const AGENT_DEFAULT_PATHS: AgentPaths = Object.fromEntries(
  AGENT_OPERATIONS.map((operation) => [operation, `/openapi/iot/${operation}`]),
) as AgentPaths;

export function isAgentOperation(value: string): value is AgentOperation {
  return (AGENT_OPERATIONS as readonly string[]).includes(value);
}

/** The default table with configured overrides applied; unknown names are a config error. */
export function resolveAgentPaths(overrides: Record<string, string> = {}): AgentPaths {
  const paths = { ...AGENT_DEFAULT_PATHS };
  for (const [operation, path] of Object.entries(overrides)) {
    if (!isAgentOperation(operation)) {
      throw new SimdockError(
        'config_error',
        `agent paths: unknown operation "${operation}"; the operations are ${AGENT_OPERATIONS.join(', ')}`,
        { details: { operation, known: AGENT_OPERATIONS } },
      );
    }
    if (!path.startsWith('/')) {
      throw new SimdockError('config_error', `agent paths: "${operation}" must start with "/"`, {
        details: { operation, path },
      });
    }
    paths[operation] = path;
  }
  return paths;
}

/** The operation served at a path, for servers of this API. */
export function operationOfPath(paths: AgentPaths, pathname: string): AgentOperation | undefined {
  return AGENT_OPERATIONS.find((operation) => paths[operation] === pathname);
}
