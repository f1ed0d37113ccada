/**
 * Code-shape figures for the product code (not tests, not ASL or generated files), read with the
 * TypeScript AST: `as` assertions, functions over 80 lines, files over 450 lines. Prints JSON; exits 1
 * when a limit is passed, so CI keeps the shape (npm run metrics).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const FOLDERS = ['shared', 'lambdas', 'local', 'cdk', 'bench', 'scripts'];
export const LIMITS = { asAssertions: 60, functionLines: 80, fileLines: 450 } as const;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Figures {
  asAssertions: number;
  asByFile: Record<string, number>;
  longFunctions: { file: string; name: string; lines: number }[];
  longFiles: { file: string; lines: number }[];
}

export function measure(root = ROOT): Figures {
  const figures: Figures = { asAssertions: 0, asByFile: {}, longFunctions: [], longFiles: [] };
  for (const path of FOLDERS.flatMap((folder) => tsFiles(join(root, folder)))) {
    const file = relative(root, path);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').length;
    if (lines > LIMITS.fileLines) figures.longFiles.push({ file, lines });
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
    const visit = (node: ts.Node): void => {
      // `as const` fixes a literal's type; it asserts nothing.
      if (
        ts.isAsExpression(node) &&
        !(ts.isTypeReferenceNode(node.type) && node.type.getText() === 'const')
      ) {
        figures.asAssertions++;
        figures.asByFile[file] = (figures.asByFile[file] ?? 0) + 1;
      }
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const span = lineOf(node.getEnd()) - lineOf(node.getStart()) + 1;
        if (span > LIMITS.functionLines) {
          const name =
            node.name?.getText() ??
            (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
          figures.longFunctions.push({ file, name, lines: span });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = measure();
  console.log(JSON.stringify({ limits: LIMITS, ...figures, asByFile: undefined }, null, 1));
  const over =
    figures.asAssertions > LIMITS.asAssertions ||
    figures.longFunctions.length > 0 ||
    figures.longFiles.length > 0;
  process.exitCode = over ? 1 : 0;
}
