import { isNode, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';

/*
 * Helpers shared by the loaders of the YAML files an administrator edits (region files, holiday
 * calendar files): problems are located by field path and line, and zod's generic failures are
 * said in Chinese.
 */

/** `['items', 1, 'code']` → `items[1].code`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** The line of the node at `path`, or of its nearest existing parent (for a missing field). */
export function lineOf(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): { line?: number } {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      return { line: lineCounter.linePos(node.range[0]).line };
    }
  }
  return {};
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: 'true 或 false',
  array: '列表',
  object: '映射（键: 值）',
  undefined: '空',
  null: '空',
};

/**
 * Chinese messages for the schema's generic failures; messages written on a schema itself
 * (formats, ranges) take precedence. Without this an administrator would read zod's English.
 */
export const yamlFileErrorMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return '缺少此项（必填）';
      const input = issue.input;
      if (
        issue.expected === 'string' &&
        (typeof input === 'number' || typeof input === 'boolean')
      ) {
        return `应为文本，请加引号，如 "${String(input)}"`;
      }
      const actual = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
      return `应为${TYPE_NAMES[issue.expected] ?? issue.expected}，这里是${TYPE_NAMES[actual] ?? actual}`;
    }
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}（是否拼写错误？字段说明见 libs/domain/README.md）`;
    case 'invalid_value':
      return `应为以下之一：${issue.values.map(String).join('、')}`;
    case 'too_small':
      return `应不小于 ${String(issue.minimum)}`;
    case 'too_big':
      return `应不大于 ${String(issue.maximum)}`;
    default:
      return undefined;
  }
};
