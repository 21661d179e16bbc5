import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, lineOf, yamlFileErrorMessage } from '../yaml-file';
import { crossCheckRegion } from './region-cross-checks';
import { RegionFileError, type RegionFileProblem } from './region-file-error';
import { hostPortSchema, regionSchema, type Region } from './region.schema';

export interface LoadRegionOptions {
  /**
   * Exchange endpoints (`host:port`) by region code, replacing the file's: a partner's
   * `endpoint`, or this region's own `exchange.listen` when the code is its own. Tests run
   * exchanges on random ports and pass one map to every region; codes that are neither this
   * region nor one of its partners are ignored.
   */
  readonly endpointOverrides?: Readonly<Record<string, string>>;
  /** Where `TONGBAN_ENDPOINT_<code>` overrides are read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const REGION_FILE_EXTENSION = '.yaml';

/**
 * Reads and validates one region file (`deploy/regions/<code>.yaml`). Throws a `RegionFileError`
 * that names the file, the line, the field path and what is wrong, listing every problem at once
 * so that the administrator can fix the file in one pass. Endpoints are overridden by
 * `options.endpointOverrides`, then by the environment (`TONGBAN_ENDPOINT_<code>`), then the file.
 * Synchronous on purpose: it runs once at start-up, before anything listens.
 */
export function loadRegion(file: string, options: LoadRegionOptions = {}): Region {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RegionFileError([
      { file, path: '', message: `无法读取区域文件（${errorText(error)}），请检查路径和权限` },
    ]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new RegionFileError(
      document.errors.map((error) => ({
        file,
        path: '',
        line: lineCounter.linePos(error.pos[0]).line,
        message: `YAML 语法错误：${error.message.split('\n')[0] ?? error.code}`,
      })),
    );
  }
  const locate = (path: readonly PropertyKey[]): RegionFileProblem => ({
    file,
    path: formatPath(path),
    ...lineOf(document, lineCounter, path),
    message: '',
  });

  const parsed = regionSchema.safeParse(document.toJS(), { error: yamlFileErrorMessage });
  if (!parsed.success) {
    throw new RegionFileError(
      parsed.error.issues.map((issue) => ({ ...locate(issue.path), message: issue.message })),
    );
  }
  const region = parsed.data;
  const problems = crossCheckRegion(region).map((problem) => ({
    ...locate(problem.path),
    message: problem.message,
  }));
  const expectedCode = basename(file, extname(file));
  if (region.code !== expectedCode) {
    problems.unshift({
      ...locate(['code']),
      message: `文件名表明这是 ${expectedCode} 的区域文件，但 code 写的是 ${region.code}；文件应命名为 ${region.code}${REGION_FILE_EXTENSION}`,
    });
  }
  problems.push(...applyEndpointOverrides(region, file, options));
  if (problems.length > 0) throw new RegionFileError(problems);
  return region;
}

/**
 * Loads every `*.yaml` region file of a directory, ordered by region code. Problems of all files
 * are reported together in one `RegionFileError`.
 */
export function loadRegions(directory: string, options: LoadRegionOptions = {}): Region[] {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith(REGION_FILE_EXTENSION));
  } catch (error) {
    throw new RegionFileError([
      { file: directory, path: '', message: `无法读取区域目录（${errorText(error)}）` },
    ]);
  }
  if (names.length === 0) {
    throw new RegionFileError([
      { file: directory, path: '', message: `目录中没有 *${REGION_FILE_EXTENSION} 区域文件` },
    ]);
  }
  const regions: Region[] = [];
  const problems: RegionFileProblem[] = [];
  for (const name of names.sort()) {
    try {
      regions.push(loadRegion(join(directory, name), options));
    } catch (error) {
      if (!(error instanceof RegionFileError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new RegionFileError(problems);
  return regions.sort((a, b) => a.code.localeCompare(b.code));
}

function applyEndpointOverrides(
  region: Region,
  file: string,
  options: LoadRegionOptions,
): RegionFileProblem[] {
  const env = options.env ?? process.env;
  const problems: RegionFileProblem[] = [];
  const override = (code: string, path: string, apply: (endpoint: string) => void): void => {
    const fromOption = options.endpointOverrides?.[code];
    const variable = `TONGBAN_ENDPOINT_${code}`;
    const fromEnv = env[variable];
    const [value, origin] =
      fromOption !== undefined
        ? [fromOption, `endpointOverrides["${code}"]`]
        : fromEnv !== undefined && fromEnv !== ''
          ? [fromEnv, `环境变量 ${variable}`]
          : [undefined, ''];
    if (value === undefined) return;
    if (hostPortSchema.safeParse(value).success) apply(value);
    else {
      problems.push({
        file,
        path,
        message: `${origin} 的值“${value}”不是 主机:端口（如 127.0.0.1:7405），请修正该覆盖值`,
      });
    }
  };
  override(region.code, 'exchange.listen', (endpoint) => {
    region.exchange.listen = endpoint;
  });
  region.partners.forEach((partner, index) => {
    override(partner.code, `partners[${index}].endpoint`, (endpoint) => {
      partner.endpoint = endpoint;
    });
  });
  return problems;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
