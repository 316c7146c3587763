import { bucketNameProblem } from '../minio-distributed/buckets';
import { PropChecks } from '../lib/prop-errors';
import { parseQuantity, Resources } from '../lib/resources';
import { ClientEndpoint } from '../lib/workload/endpoint';

/** The bucket models are read from unless a source names another. */
export const MODELS_BUCKET = 'models';
/** The secret settings a MinIO endpoint must carry: the reader's S3 keys (`<P>_ACCESS_KEY_ID`, `<P>_SECRET_ACCESS_KEY`). */
export const S3_KEY_SETTINGS = ['ACCESS_KEY_ID', 'SECRET_ACCESS_KEY'] as const;
/** Smallest model cache: a cache smaller than this holds no language model. */
const MIN_CACHE_BYTES = 1024 ** 3;
const OBJECT_PATH = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;
const IMAGE_PATH = /^(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;

/** Where a downloaded model comes from: a folder of a bucket of the in-cluster MinIO. */
export interface MinioModelOptions {
  /**
   * The MinIO S3 API as a client reaches it (`kind: 'minio'`), with the reader's keys as the secret
   * settings `ACCESS_KEY_ID` and `SECRET_ACCESS_KEY`; its chart admits the model server's pods.
   */
  readonly endpoint: ClientEndpoint;
  /** Bucket of the model. @default MODELS_BUCKET ('models') */
  readonly bucket?: string;
  /**
   * Folder of the model in the bucket, e.g. `deepseek-r1-distill-qwen-7b/2025-01-20`. Put the
   * revision in the path: `mc mirror` compares sizes only, so a new revision in a new folder is
   * the only change a cached copy is sure to notice.
   */
  readonly path: string;
  /** The MinIO client image of the download init container, pinned. */
  readonly mcImage: string;
  /** Resources of the download init container. @default Resources.SMALL */
  readonly resources?: Resources;
}

/**
 * Where the model server's weights come from: baked into the image, or downloaded from MinIO by an
 * init container into the model cache before the server starts.
 */
export class ModelSource {
  /** The weights are in the image at `path` (an absolute folder): no init container, no cache needed. */
  public static image(path: string): ModelSource {
    return new ModelSource('image', path, undefined);
  }

  /** An init container mirrors `bucket/path` from MinIO into the model cache at every pod start. */
  public static minio(options: MinioModelOptions): ModelSource {
    return new ModelSource('minio', options.path, options);
  }

  private constructor(
    public readonly kind: 'image' | 'minio',
    /** The folder in the image, or in the bucket. */
    public readonly path: string,
    /** The download, for a MinIO source. */
    public readonly minioOptions: MinioModelOptions | undefined,
  ) {}

  /** Records every problem on `check`, fields under `model`. */
  public validate(check: PropChecks): void {
    if (!this.minioOptions) {
      check.that(
        IMAGE_PATH.test(this.path) && !this.path.includes('/../'),
        'model.path',
        'must be an absolute folder in the image, such as /opt/models/deepseek-r1',
        this.path,
      );
      return;
    }
    const o = this.minioOptions;
    const problem = bucketNameProblem(o.bucket ?? MODELS_BUCKET);
    check.that(problem === undefined, 'model.bucket', problem ?? '', o.bucket);
    const segments = o.path.split('/');
    check.that(
      OBJECT_PATH.test(o.path) && !segments.includes('..') && !segments.includes('.'),
      'model.path',
      'must be a folder of the bucket: segments of letters, digits, . _ -, no leading or trailing /',
      o.path,
    );
    check.that(o.endpoint.kind === 'minio', 'model.endpoint.kind', "must be 'minio'", o.endpoint.kind);
    for (const key of S3_KEY_SETTINGS) {
      check.that(
        o.endpoint.secretSettings?.[key] !== undefined,
        `model.endpoint.secretSettings.${key}`,
        "must name the reader's key in the secret store",
        undefined,
      );
    }
    if (check.that(!!o.mcImage, 'model.mcImage', 'is required: images are a supply-chain decision', o.mcImage)) {
      check.pinnedImage(o.mcImage, 'model.mcImage');
    }
  }
}

export type ModelCacheAccessMode = 'ReadWriteOnce' | 'ReadWriteMany';

/** Options of a PersistentVolumeClaim model cache. */
export interface PersistentCacheOptions {
  /** Size of the volume, a quantity such as `100Gi`: at least the model's size. */
  readonly size: string;
  /** StorageClass of the volume. @default - the cluster's default class */
  readonly storageClass?: string;
  /**
   * `ReadWriteOnce` attaches to one node, so it holds one replica only (with `maxSurge: 0` the old
   * pod lets go before the new one mounts it); `ReadWriteMany` (NFS, CephFS) serves any number.
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: ModelCacheAccessMode;
}

/**
 * Where a downloaded model is kept: an emptyDir per pod (downloaded at every start, any number of
 * replicas), or a PersistentVolumeClaim that survives restarts (a restart only checks sizes).
 */
export class ModelCache {
  /** A per-pod emptyDir capped at `sizeLimit` (e.g. `40Gi`), on the node's disk. */
  public static emptyDir(sizeLimit: string): ModelCache {
    return new ModelCache('emptyDir', sizeLimit, undefined, 'ReadWriteOnce');
  }

  /** One PersistentVolumeClaim `<name>-model-cache`, shared by the pods. */
  public static persistentVolume(options: PersistentCacheOptions): ModelCache {
    return new ModelCache('persistentVolume', options.size, options.storageClass, options.accessMode ?? 'ReadWriteOnce');
  }

  private constructor(
    public readonly kind: 'emptyDir' | 'persistentVolume',
    /** The size limit of the emptyDir, or the size of the volume. */
    public readonly size: string,
    public readonly storageClass: string | undefined,
    public readonly accessMode: ModelCacheAccessMode,
  ) {}

  /** Records every problem on `check`; `replicas` decides whether a ReadWriteOnce volume can serve. */
  public validate(check: PropChecks, replicas: number): void {
    const bytes = parseQuantity(this.size);
    check.that(
      Number.isFinite(bytes) && bytes >= MIN_CACHE_BYTES,
      'modelCache.size',
      'must be a quantity of at least 1Gi, such as "40Gi"',
      this.size,
    );
    check.that(
      this.kind === 'emptyDir' || this.accessMode === 'ReadWriteMany' || replicas <= 1,
      'modelCache.accessMode',
      `a ReadWriteOnce volume attaches to one node and holds one replica (replicas is ${replicas}): use ModelCache.emptyDir (one copy per pod) or accessMode ReadWriteMany`,
      this.accessMode,
    );
  }
}
