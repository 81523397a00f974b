// Validates every manifest under infra/k8s against the Kubernetes API schemas (kubernetes-models'
// validate(): types, required fields, enums, formats), then checks what the schemas cannot: the
// kustomization lists every manifest, selectors match their pod labels, probes name declared ports,
// and every ConfigMap, Secret and ServiceAccount a pod refers to is defined. Exit 1 on any problem.
//   node validate.mjs [DIR]      (DIR: infra/k8s by default)
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
const problems = [];
const objects = [];

const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8"));
  for (const doc of docs) {
    if (doc.errors.length > 0) { problems.push(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`); continue; }
    const data = doc.toJS();
    if (data == null) continue;
    objects.push({ file, data });
  }
}

async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const path = apiVersion.includes("/") ? apiVersion : `v1`;
  try { return (await import(`kubernetes-models/${path}`))[kind]; } catch { return undefined; }
}

let validated = 0;
for (const { file, data } of objects) {
  const where = `${file}: ${data.kind ?? "?"} ${data.metadata?.name ?? "?"}`;
  if (data.kind === "Kustomization") continue;
  const Model = await modelOf(data.apiVersion, data.kind);
  if (!Model) { problems.push(`${where}: no Kubernetes schema for ${data.apiVersion} ${data.kind}`); continue; }
  try { new Model(data).validate(); validated++; } catch (e) { problems.push(`${where}: ${e.message}`); }
}

// What the schemas do not check.
const byKind = (kind) => objects.filter((o) => o.data.kind === kind).map((o) => o.data);
const names = (kind) => new Set(byKind(kind).map((d) => d.metadata?.name));
const kustomization = objects.find((o) => o.data.kind === "Kustomization");
if (!kustomization) problems.push("kustomization.yaml is missing");
else {
  const listed = new Set(kustomization.data.resources ?? []);
  for (const file of files) if (file !== kustomization.file && !listed.has(file)) problems.push(`${file} is not listed in kustomization.yaml`);
  for (const file of listed) if (!files.includes(file)) problems.push(`kustomization.yaml lists ${file}, which does not exist`);
}
const configMaps = names("ConfigMap"), secrets = names("Secret"), accounts = names("ServiceAccount");
const subset = (a = {}, b = {}) => Object.entries(a).every(([k, v]) => b[k] === v);
const workloads = [...byKind("Deployment"), ...byKind("StatefulSet")];
for (const w of workloads) {
  const where = `${w.kind} ${w.metadata.name}`;
  const pod = w.spec?.template ?? {};
  if (!subset(w.spec?.selector?.matchLabels, pod.metadata?.labels)) problems.push(`${where}: selector does not match the pod's labels`);
  const account = pod.spec?.serviceAccountName;
  if (account && !accounts.has(account)) problems.push(`${where}: service account ${account} is not defined`);
  for (const c of pod.spec?.containers ?? []) {
    const ports = new Set((c.ports ?? []).map((p) => p.name));
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const port = c[probe]?.httpGet?.port;
      if (typeof port === "string" && !ports.has(port)) problems.push(`${where}/${c.name}: ${probe} names port ${port}, which the container does not declare`);
    }
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef, m = e.valueFrom?.configMapKeyRef;
      if (s && !secrets.has(s.name) && !s.optional) problems.push(`${where}/${c.name}: env ${e.name} refers to secret ${s.name}, not defined`);
      if (m && !configMaps.has(m.name) && !m.optional) problems.push(`${where}/${c.name}: env ${e.name} refers to config map ${m.name}, not defined`);
      if (s) {
        const secret = byKind("Secret").find((x) => x.metadata.name === s.name);
        if (secret && !s.optional && !(s.key in { ...secret.stringData, ...secret.data })) problems.push(`${where}/${c.name}: env ${e.name} refers to key ${s.key}, not in secret ${s.name}`);
      }
    }
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef && !configMaps.has(e.configMapRef.name)) problems.push(`${where}/${c.name}: envFrom config map ${e.configMapRef.name} is not defined`);
      if (e.secretRef && !secrets.has(e.secretRef.name)) problems.push(`${where}/${c.name}: envFrom secret ${e.secretRef.name} is not defined`);
    }
  }
}
for (const s of byKind("Service")) {
  const pods = workloads.filter((w) => subset(s.spec?.selector, w.spec?.template?.metadata?.labels));
  if (s.spec?.selector && pods.length === 0) problems.push(`Service ${s.metadata.name}: its selector matches no workload`);
  for (const p of s.spec?.ports ?? []) {
    if (typeof p.targetPort !== "string") continue;
    for (const w of pods) {
      const declared = (w.spec.template.spec.containers ?? []).some((c) => (c.ports ?? []).some((q) => q.name === p.targetPort));
      if (!declared) problems.push(`Service ${s.metadata.name}: port ${p.name} targets ${p.targetPort}, which ${w.kind} ${w.metadata.name} does not declare`);
    }
  }
}
for (const b of byKind("PodDisruptionBudget")) {
  if (!workloads.some((w) => subset(b.spec?.selector?.matchLabels, w.spec?.template?.metadata?.labels))) problems.push(`PodDisruptionBudget ${b.metadata.name}: its selector matches no workload`);
}

for (const p of problems) console.error(`k8s: ${p}`);
console.log(`k8s: ${validated} objects in ${files.length} files against the Kubernetes schemas, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
