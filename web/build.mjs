// Copies the third-party files the binary embeds from node_modules into dist/ (see assets.go).
// No bundler: the files are used as the packages ship them.
import { cpSync, mkdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");

// [package, file inside the package, destination inside dist]
const files = [
  ["scorm-again", "dist/scorm12.min.js", "scorm-again/scorm12.min.js"],
  ["scorm-again", "dist/scorm2004.min.js", "scorm-again/scorm2004.min.js"],
  ["scorm-again", "LICENSE", "scorm-again/LICENSE"],
];

for (const [pkg] of files) {
  if (!existsSync(join(here, "node_modules", pkg))) {
    console.error(`build: node_modules/${pkg} is missing; run npm ci --prefix web first`);
    process.exit(1);
  }
}
for (const sub of new Set(files.map(([, , to]) => to.split("/")[0]))) {
  rmSync(join(dist, sub), { recursive: true, force: true });
}
for (const [pkg, from, to] of files) {
  const dest = join(dist, to);
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(join(here, "node_modules", pkg, from), dest);
}
writeFileSync(join(dist, ".gitkeep"), "");
console.log(`build: copied ${files.length} files into web/dist`);
