import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceConfigError } from '@tongban/service-kit';
import { IntakeSettings, loadIntakeConfig } from '../src/intake-settings';
import { repo } from './support';

const base = {
  REGION: '411700',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tb_intake',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('intake configuration', () => {
  it('needs the exchange directory and names every problem at once', () => {
    let error: unknown;
    try {
      loadIntakeConfig({ ...base, UPLOAD_MAX_BYTES: String(64 * 1024 * 1024) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServiceConfigError);
    expect((error as ServiceConfigError).problems).toEqual([
      expect.stringMatching(/^EXCHANGE_DIRECTORY_ADDRESS: missing; /),
      expect.stringMatching(/^UPLOAD_MAX_BYTES: must stay below the gRPC request limit/),
    ]);
  });

  it('defaults the blob store to the region’s development folder and the upload limits', () => {
    const settings = IntakeSettings.from(
      loadIntakeConfig({ ...base, EXCHANGE_DIRECTORY_ADDRESS: '127.0.0.1:7417' }),
    );
    expect(settings).toEqual({
      directoryAddress: '127.0.0.1:7417',
      blobDir: path.join(repo, '.tongban/dev/411700/blobs'),
      catalogTtlMs: 60_000,
      limits: {
        materialMaxBytes: 10 * 1024 * 1024,
        uploadMaxBytes: 30 * 1024 * 1024,
        maxMaterials: 30,
        contentTypes: ['application/pdf', 'application/ofd', 'image/jpeg', 'image/png'],
      },
      survey: {
        mediumMaxBytes: 20 * 1024 * 1024,
        uploadMaxBytes: 30 * 1024 * 1024,
        maxMedia: 20,
        contentTypes: ['image/jpeg', 'image/png', 'video/mp4', 'video/quicktime'],
        clockSkewMs: 300_000,
      },
    });
  });

  it('takes only photo and video types it can recognise for survey media', () => {
    const load = (types: string) =>
      loadIntakeConfig({
        ...base,
        EXCHANGE_DIRECTORY_ADDRESS: '127.0.0.1:7417',
        SURVEY_CONTENT_TYPES: types,
      });
    expect(IntakeSettings.from(load('image/jpeg,video/mp4')).survey.contentTypes).toEqual([
      'image/jpeg',
      'video/mp4',
    ]);
    for (const types of ['application/pdf', 'image/jpeg,image/heic', 'video/x-msvideo']) {
      expect(() => load(types), types).toThrow(ServiceConfigError);
    }
  });
});
