// Tokenizes `.plot` files with the TextMate grammar in grammar/plot.tmLanguage.json, as
// VS Code does (vscode-textmate with the Oniguruma engine), and prints, per file, every
// token's text and scopes as JSON lines: {file, line, text, scopes}.
// Usage: node textmate.cjs GRAMMAR FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
const onigLib = oniguruma.loadWASM(wasm.buffer).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const [grammarPath, ...files] = process.argv.slice(2);
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
});

registry.loadGrammar('source.plot').then((grammar) => {
  if (!grammar) throw new Error('the grammar did not load');
  for (const file of files) {
    let stack = vsctm.INITIAL;
    fs.readFileSync(file, 'utf8').split('\n').forEach((text, index) => {
      const result = grammar.tokenizeLine(text, stack);
      for (const token of result.tokens) {
        const piece = text.slice(token.startIndex, token.endIndex);
        if (piece.trim()) {
          process.stdout.write(JSON.stringify({ file, line: index + 1, text: piece, scopes: token.scopes }) + '\n');
        }
      }
      stack = result.ruleStack;
    });
  }
}).catch((error) => { console.error(String(error && error.stack || error)); process.exit(1); });
