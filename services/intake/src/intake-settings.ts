import path from 'node:path';
import { z } from 'zod';
import { loadServiceConfig, type BaseServiceConfig } from '@tongban/service-kit';
import { hasSignature } from './materials/material-content';

const MiB = 1024 * 1024;
// GrpcHost accepts requests up to 32 MiB; the materials of one submit must fit in one request.
const GRPC_REQUEST_LIMIT = 32 * MiB;

const byteCount = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const belowGrpcLimit = (fallback: number) =>
  byteCount(fallback).refine((value) => value < GRPC_REQUEST_LIMIT, {
    message: `must stay below the gRPC request limit of ${String(GRPC_REQUEST_LIMIT)} bytes`,
  });
const MIME_LIST = /^[a-z0-9.+-]+\/[a-z0-9.+-]+(,[a-z0-9.+-]+\/[a-z0-9.+-]+)*$/;

/** Intake's own environment, on top of every service's (see service-config.ts). */
const intakeEnvironment = {
  /** The region's exchange, for partner catalogs (in-region, plain gRPC). */
  EXCHANGE_DIRECTORY_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port of this region’s exchange DirectoryService'),
  /** Root of the material blob store; `<repo>/.tongban/dev/<region>/blobs` when unset. */
  BLOB_DIR: z.string().min(1).optional(),
  /** How long a partner's catalog is used before it is fetched again. */
  CATALOG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
  MATERIAL_MAX_BYTES: byteCount(10 * MiB),
  UPLOAD_MAX_BYTES: belowGrpcLimit(30 * MiB),
  MATERIALS_MAX_COUNT: z.coerce.number().int().positive().max(200).default(30),
  /** Comma-separated MIME types a material may have. OFD is the national e-document format. */
  MATERIAL_CONTENT_TYPES: z
    .string()
    .regex(MIME_LIST, {
      message: 'must be a comma-separated list of lower-case MIME types, e.g. application/pdf',
    })
    .default('application/pdf,application/ofd,image/jpeg,image/png'),
  /** One photo or video of a remote survey (远程踏勘): phones film large files. */
  SURVEY_MEDIUM_MAX_BYTES: byteCount(20 * MiB),
  /** All media of one survey answer; they travel in one request. */
  SURVEY_UPLOAD_MAX_BYTES: belowGrpcLimit(30 * MiB),
  SURVEY_MEDIA_MAX_COUNT: z.coerce.number().int().positive().max(100).default(20),
  /**
   * Photo and video types a survey answer may have: only image/* and video/* types whose bytes
   * intake can recognise, so that every medium is checked to be what it claims.
   */
  SURVEY_CONTENT_TYPES: z
    .string()
    .regex(MIME_LIST, { message: 'must be a comma-separated list of lower-case MIME types' })
    .refine(
      (value) =>
        value.split(',').every((type) => /^(image|video)\//.test(type) && hasSignature(type)),
      {
        message:
          'may only list image/* and video/* types intake recognises: image/jpeg, image/png, video/mp4, video/quicktime',
      },
    )
    .default('image/jpeg,image/png,video/mp4,video/quicktime'),
  /**
   * How far a phone's clock may run ahead of ours: a capture time later than now by more is
   * refused as not yet taken.
   */
  SURVEY_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(3_600).default(300),
};

export type IntakeConfig = ReturnType<typeof loadIntakeConfig>;

export function loadIntakeConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig('intake', { HTTP_PORT: 0, GRPC_PORT: 0 }, intakeEnvironment, env);
}

/** What the window may hand in with one case. */
export interface UploadLimits {
  readonly materialMaxBytes: number;
  readonly uploadMaxBytes: number;
  readonly maxMaterials: number;
  readonly contentTypes: readonly string[];
}

/** What the window may hand in as the answer to one remote survey request. */
export interface SurveyLimits {
  readonly mediumMaxBytes: number;
  readonly uploadMaxBytes: number;
  readonly maxMedia: number;
  readonly contentTypes: readonly string[];
  readonly clockSkewMs: number;
}

/** Intake's settings as the feature modules need them (injected; the config stays in main). */
export class IntakeSettings {
  constructor(
    readonly directoryAddress: string,
    readonly blobDir: string,
    readonly catalogTtlMs: number,
    readonly limits: UploadLimits,
    readonly survey: SurveyLimits,
  ) {}

  static from(config: IntakeConfig & BaseServiceConfig): IntakeSettings {
    const workspaceRoot = path.resolve(__dirname, '../../..');
    return new IntakeSettings(
      config.EXCHANGE_DIRECTORY_ADDRESS,
      path.resolve(
        config.BLOB_DIR ?? path.join(workspaceRoot, '.tongban/dev', config.REGION, 'blobs'),
      ),
      config.CATALOG_CACHE_SECONDS * 1_000,
      {
        materialMaxBytes: config.MATERIAL_MAX_BYTES,
        uploadMaxBytes: config.UPLOAD_MAX_BYTES,
        maxMaterials: config.MATERIALS_MAX_COUNT,
        contentTypes: config.MATERIAL_CONTENT_TYPES.split(','),
      },
      {
        mediumMaxBytes: config.SURVEY_MEDIUM_MAX_BYTES,
        uploadMaxBytes: config.SURVEY_UPLOAD_MAX_BYTES,
        maxMedia: config.SURVEY_MEDIA_MAX_COUNT,
        contentTypes: config.SURVEY_CONTENT_TYPES.split(','),
        clockSkewMs: config.SURVEY_CLOCK_SKEW_SECONDS * 1_000,
      },
    );
  }
}
