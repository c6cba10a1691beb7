import type { TFunction } from 'i18next';

/**
 * Labels in the console's language for the enums and codes the API returns verbatim: audit
 * actions, actors and status sources, sync kinds, supplier types, rule conditions. An unknown
 * value reads as itself (a new one still shows, untranslated, rather than nothing).
 */

/** A value as a catalogue key: i18next reads `.` as nesting and `:` as a namespace. */
export function keyOf(value: string): string {
  return value.replace(/[.:]/g, '_');
}

/** `cards.pause` → 物联卡 · 停机; a whole action the catalogue names is used as it is. */
export function auditActionLabel(t: TFunction, action: string): string {
  const whole = `auditActions.${keyOf(action)}`;
  const named = t(whole, { defaultValue: '' });
  if (named) return named;
  const dot = action.indexOf('.');
  if (dot < 0) {
    return t(`actions.${action}`, {
      defaultValue: t(`auditVerbs.${action}`, { defaultValue: action }),
    });
  }
  const area = action.slice(0, dot);
  const verb = action.slice(dot + 1);
  return `${t(`auditAreas.${area}`, { defaultValue: area })} · ${t(`actions.${verb}`, {
    defaultValue: t(`auditVerbs.${verb}`, { defaultValue: verb }),
  })}`;
}

/** `user:li@example.com` → 用户 li@example.com; `rules:pause` → 规则（停机）; `job:7` → 批量任务 #7. */
export function actorLabel(t: TFunction, actor: string): string {
  const whole = t(`actors.${keyOf(actor)}`, { defaultValue: '' });
  if (whole) return whole;
  const colon = actor.indexOf(':');
  if (colon < 0) return actor;
  const kind = actor.slice(0, colon);
  const rest = actor.slice(colon + 1);
  switch (kind) {
    case 'user':
      return t('actors.userNamed', { name: rest });
    case 'key':
      return t('actors.keyNamed', { name: rest });
    case 'job':
      return /^\d+$/.test(rest)
        ? t('actors.jobNumbered', { id: rest })
        : t('actors.jobAction', { action: t(`actions.${rest}`, { defaultValue: rest }) });
    case 'rules':
      return t('actors.rulesAction', { action: t(`actions.${rest}`, { defaultValue: rest }) });
    case 'sync':
      return t('actors.syncNamed', { name: rest });
    default:
      return t('actors.other', {
        kind: t(`actors.${kind}`, { defaultValue: kind }),
        name: rest,
      });
  }
}

/** A supplier type id in the console's language (`quectel` → 移远物联网连接服务). */
export function supplierLabel(t: TFunction, type: string): string {
  return t(`supplierTypes.${type}`, { defaultValue: type });
}

/** A sync run's kind (`full` → 全量同步). */
export function syncKindLabel(t: TFunction, kind: string): string {
  return t(`syncKinds.${kind}`, { defaultValue: kind });
}

/** A rule's condition as a sentence: `usage` `{percent: 90}` → 本周期用量达到额度的 90%. */
export function ruleConditionText(
  t: TFunction,
  kind: string,
  thresholds: Record<string, unknown>,
): string {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(thresholds)) {
    if (Array.isArray(value)) {
      params[key] = value
        .map((item) => t(`status.${item}`, { defaultValue: String(item) }))
        .join(t('common.listSeparator'));
    } else if (key === 'bytes' || key === 'minBytes') {
      params[key] = `${Math.round((Number(value) / 1024 / 1024) * 100) / 100} MB`;
    } else params[key] = String(value);
  }
  const variant =
    kind === 'usage'
      ? thresholds.bytes !== undefined
        ? 'usageBytes'
        : 'usagePercent'
      : kind === 'status_changed'
        ? Array.isArray(thresholds.to) && thresholds.to.length > 0
          ? 'statusChangedTo'
          : 'statusChanged'
        : kind;
  return t(`ruleConditions.${variant}`, { ...params, defaultValue: t(`rules.kinds.${kind}`) });
}

/** The bulk bar's filter expression (`status=active AND supplier=quectel`) in words. */
export function filterExpressionText(t: TFunction, expression: string): string {
  return expression
    .split(' AND ')
    .map((condition) => {
      const match = /^([a-z]+)(>=|<=|=)(.*)$/.exec(condition);
      if (!match) return condition;
      const [, field, operator, value] = match as unknown as [string, string, string, string];
      const shown =
        field === 'status'
          ? t(`status.${value}`, { defaultValue: value })
          : field === 'supplier'
            ? supplierLabel(t, value)
            : field === 'usage'
              ? `${Math.round((Number(value) / 1024 / 1024) * 100) / 100} MB`
              : value;
      return t(
        `filterWords.${operator === '=' ? 'is' : operator === '>=' ? 'atLeast' : 'atMost'}`,
        {
          field: t(`filterWords.fields.${field}`, { defaultValue: field }),
          value: shown,
        },
      );
    })
    .join(t('filterWords.and'));
}
