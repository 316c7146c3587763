import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { DOWNLOAD_SCRIPT } from '../../../constructs/model-server';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);

/**
 * A fake `mc` (no mc binary or S3 server here): it logs its argv, and `mirror models/<bucket>/<path>
 * <dir>` copies `$MC_BUCKETS/<bucket>/<path>` into `<dir>` the way `mc mirror --overwrite` does
 * for our purpose: what is missing or differs in size. It fails like mc on an unknown alias.
 */
const FAKE_MC = `#!/bin/sh
set -eu
echo "$*" >> "$MC_LOG"
case "$1" in
  alias) [ -f "$HOME/.mc/certs/CAs/models-ca.crt" ] && echo "ca trusted" >> "$MC_LOG"; mkdir -p "$HOME/.mc"; echo "$3" > "$HOME/.mc/alias"; exit 0 ;;
  mirror)
    [ -f "$HOME/.mc/alias" ] || { echo "mc: <ERROR> no alias" >&2; exit 1; }
    src="$MC_BUCKETS/\${3#models/}"
    [ -d "$src" ] || exit 0
    for f in "$src"/*; do
      t="$4/$(basename "$f")"
      if [ ! -f "$t" ] || [ "$(wc -c < "$f")" != "$(wc -c < "$t")" ]; then cp "$f" "$t"; echo "copied $(basename "$f")" >> "$MC_LOG"; fi
    done ;;
esac
`;

// dash is Debian's sh; the mc image (UBI) has bash as sh.
describe.each(['dash', 'bash'])('the model download script under %s (real shell, fake mc)', (shell) => {
  const setUp = (): { dir: string; env: NodeJS.ProcessEnv; log: () => string; cleanup: () => void } => {
    const { dir, cleanup } = tempDir('model-download-');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'mc'), FAKE_MC, { mode: 0o755 });
    const model = path.join(dir, 'buckets', 'models', 'deepseek', 'rev1');
    fs.mkdirSync(model, { recursive: true });
    fs.writeFileSync(path.join(model, 'config.json'), '{}');
    fs.writeFileSync(path.join(model, 'model.safetensors'), 'weights');
    fs.mkdirSync(path.join(dir, 'home'));
    const logFile = path.join(dir, 'calls.log');
    fs.writeFileSync(logFile, '');
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: path.join(dir, 'home'),
      MC_LOG: logFile,
      MC_BUCKETS: path.join(dir, 'buckets'),
      MODELS_HOST: 'minio.storage-minio.svc',
      MODELS_PORT: '9000',
      MODELS_ACCESS_KEY_ID: 'reader',
      MODELS_SECRET_ACCESS_KEY: 'reader-secret',
      MODEL_BUCKET: 'models',
      MODEL_PATH: 'deepseek/rev1',
      MODEL_DIR: path.join(dir, 'cache', 'deepseek', 'rev1'),
    };
    return { dir, env, log: () => fs.readFileSync(logFile, 'utf8'), cleanup };
  };

  test('mirrors the folder into the cache; a second run (a restart on a PVC) copies nothing', async () => {
    const t = setUp();
    try {
      await run(shell, ['-c', DOWNLOAD_SCRIPT], { env: t.env });
      expect(fs.readdirSync(t.env.MODEL_DIR!).sort()).toEqual(['config.json', 'model.safetensors']);
      expect(t.log()).toContain('alias set models http://minio.storage-minio.svc:9000 reader reader-secret');
      expect(t.log()).toContain('mirror --overwrite models/models/deepseek/rev1 ');
      expect(t.log().match(/^copied /gm)).toHaveLength(2);
      fs.writeFileSync(t.env.MC_LOG!, '');
      await run(shell, ['-c', DOWNLOAD_SCRIPT], { env: t.env });
      expect(t.log()).not.toContain('copied');
      // An interrupted download (a shorter file) is completed.
      fs.writeFileSync(path.join(t.env.MODEL_DIR!, 'model.safetensors'), 'wei');
      await run(shell, ['-c', DOWNLOAD_SCRIPT], { env: t.env });
      expect(t.log()).toContain('copied model.safetensors');
    } finally {
      t.cleanup();
    }
  });

  test('with a CA file: https, and the CA trusted before the alias is set', async () => {
    const t = setUp();
    try {
      const ca = path.join(t.dir, 'ca.crt');
      fs.writeFileSync(ca, 'CA');
      await run(shell, ['-c', DOWNLOAD_SCRIPT], { env: { ...t.env, MODELS_CA_FILE: ca } });
      expect(t.log()).toContain('alias set models https://minio.storage-minio.svc:9000');
      expect(t.log()).toContain('ca trusted');
    } finally {
      t.cleanup();
    }
  });

  test('fails when the folder is empty or missing in the bucket, and when a key is missing', async () => {
    const t = setUp();
    try {
      await expect(run(shell, ['-c', DOWNLOAD_SCRIPT], { env: { ...t.env, MODEL_PATH: 'deepseek/rev2' } })).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('no objects under models/deepseek/rev2'),
      });
      const noKey = { ...t.env };
      delete noKey.MODELS_SECRET_ACCESS_KEY;
      await expect(run(shell, ['-c', DOWNLOAD_SCRIPT], { env: noKey })).rejects.toMatchObject({
        stderr: expect.stringContaining('MODELS_SECRET_ACCESS_KEY'),
      });
      expect(t.log()).not.toContain('mirror --overwrite models/models/deepseek/rev1');
    } finally {
      t.cleanup();
    }
  });
});
