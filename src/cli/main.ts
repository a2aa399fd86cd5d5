import { Command } from 'commander';
import { registerSummary } from './summary';
import { registerSimulate } from './simulate';
import { registerTrial } from './trial';
import { registerFit } from './fit';
import { registerDosing } from './dosing';
import { registerTrain } from './train';
import { registerQnnEval } from './qnnEval';
import { registerCompare } from './compare';

// The command line serves researchers and benchmarks from the same core as the app.
const program = new Command();
program
  .name('npm run cli --')
  .description('PK/PD Dosing Workbench command line')
  .showHelpAfterError();

registerSummary(program);
registerSimulate(program);
registerTrial(program);
registerFit(program);
registerDosing(program);
registerTrain(program);
registerQnnEval(program);
registerCompare(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
