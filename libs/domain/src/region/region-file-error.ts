import { DomainError } from '../domain-error';

/** One thing wrong in a region file, located so the administrator can go straight to it. */
export interface RegionFileProblem {
  readonly file: string;
  /** `items[1].materials[0].code`; empty for the file as a whole. */
  readonly path: string;
  /** 1-based line in the file, when the problem can be pinned to one. */
  readonly line?: number;
  readonly message: string;
}

/** A region file (or several) that cannot be used; `message` lists every problem found. */
export class RegionFileError extends DomainError {
  constructor(readonly problems: readonly RegionFileProblem[]) {
    super('REGION.INVALID_FILE', describe(problems));
    this.name = 'RegionFileError';
  }
}

function describe(problems: readonly RegionFileProblem[]): string {
  const files = [...new Set(problems.map((problem) => problem.file))];
  const lines = problems.map((problem) => {
    const where = [
      files.length > 1 ? problem.file : undefined,
      problem.line === undefined ? undefined : `第 ${problem.line} 行`,
      problem.path === '' ? undefined : problem.path,
    ].filter((part) => part !== undefined);
    return `  ${where.length > 0 ? `${where.join(' ')}：` : ''}${problem.message}`;
  });
  const head =
    files.length === 1
      ? `区域文件 ${files[0] ?? ''} 有 ${problems.length} 处错误，请修改后重新启动：`
      : `${files.length} 个区域文件共有 ${problems.length} 处错误，请修改后重新启动：`;
  return [head, ...lines].join('\n');
}
