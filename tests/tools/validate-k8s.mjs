// Validates Kubernetes manifests offline against the API types (kubernetes-models: types and required fields)
// and checks what an interLink virtual node needs (../../shared/docs/FIELD_NOTES.md §4). Prints one line per
// manifest, exits 1 on the first problem list. usage: node validate-k8s.mjs FILE.yaml...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import yaml from 'js-yaml';
import { Pod } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';

const models = { 'v1/Pod': Pod, 'batch/v1/Job': Job };
let failures = 0;

function interlinkProblems(doc) {
  const p = [];
  const tmpl = doc.kind === 'Pod' ? doc : doc.spec?.template;
  const spec = tmpl?.spec ?? {};
  const ann = tmpl?.metadata?.annotations ?? {};
  if (!spec.nodeSelector?.['kubernetes.io/hostname']) p.push('nodeSelector kubernetes.io/hostname (the virtual node) missing');
  const tol = (spec.tolerations ?? []).some(t => t.key === 'virtual-node.interlink/no-schedule' && t.effect === 'NoSchedule');
  if (!tol) p.push('toleration virtual-node.interlink/no-schedule:NoSchedule missing');
  if (spec.restartPolicy !== 'Never') p.push('restartPolicy must be Never (one pod = one Slurm job)');
  if (Object.keys(ann).some(k => k.startsWith('slurm-job.knoc.io/'))) p.push('old slurm-job.knoc.io/* annotations are ignored: use slurm-job.vk.io/*');
  if (!ann['slurm-job.vk.io/flags']) p.push('annotation slurm-job.vk.io/flags missing');
  for (const c of spec.containers ?? []) {
    if (!Array.isArray(c.command) || c.command.length === 0) p.push(`container ${c.name}: explicit command missing`);
    const lim = c.resources?.limits ?? {};
    if (!lim.cpu || !lim.memory) p.push(`container ${c.name}: cpu and memory limits missing (they become --cpus-per-task and --mem)`);
    const gpu = Number(lim['nvidia.com/gpu'] ?? 0);
    const gres = /--gres=gpu:\d+/.test(ann['slurm-job.vk.io/flags'] ?? '');
    if (gpu > 0 && !gres) p.push(`container ${c.name}: asks nvidia.com/gpu but the Slurm flags lack --gres=gpu:N`);
    if (gpu === 0 && gres) p.push(`container ${c.name}: Slurm flags ask a GPU but the container does not`);
    if (gpu > 0 && !/--nv/.test(ann['slurm-job.vk.io/singularity-options'] ?? '')) p.push(`container ${c.name}: GPU container without singularity-options --nv`);
    for (const e of c.env ?? []) if (e.value === undefined) p.push(`env ${e.name}: only env[].value reaches the Slurm job`);
    const out = (c.command ?? []).indexOf('--out');
    if (out >= 0 && !(ann['slurm-job.vk.io/singularity-mounts'] ?? '').includes(':/data')) p.push('writes output but mounts no folder on /data (slurm-job.vk.io/singularity-mounts)');
  }
  for (const v of spec.volumes ?? []) if (v.persistentVolumeClaim) p.push(`volume ${v.name}: PVCs are not mapped by interLink`);
  if (doc.kind === 'Job' && doc.spec?.completionMode === 'Indexed') {
    const n = doc.spec.completions;
    const cmd = (spec.containers?.[0]?.command ?? []).join(' ');
    const m = cmd.match(/--shard env\/(\d+)/);
    if (!m) p.push('Indexed Job without --shard env/N');
    else if (Number(m[1]) !== n) p.push(`--shard env/${m[1]} does not match completions ${n}`);
  }
  return p;
}

for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, 'utf8'))) {
    if (!doc) continue;
    const key = `${doc.apiVersion}/${doc.kind}`;
    const Model = models[key];
    const problems = [];
    if (!Model) problems.push(`no model for ${key}`);
    else {
      try { new Model(doc).validate(); } catch (e) { problems.push(`API schema: ${e.message}`); }
    }
    problems.push(...interlinkProblems(doc));
    if (problems.length) { failures++; console.log(`FAIL ${basename(file)} ${key} ${doc.metadata?.name}: ${problems.join('; ')}`); }
    else console.log(`ok   ${basename(file)} ${key} ${doc.metadata?.name}`);
  }
}
process.exit(failures ? 1 : 0);
