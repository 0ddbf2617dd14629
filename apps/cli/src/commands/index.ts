import type { Command } from '../command';
import { searchCommand } from './search';
import { huntCommand } from './hunt';
import { matchCommand } from './match';
import { normalizeCommand } from './normalize';
import { rulesValidateCommand } from './rules-validate';
import { startCommand } from './start';
import { generateCommand } from './generate';

export const commands: Command[] = [
  startCommand,
  huntCommand,
  searchCommand,
  matchCommand,
  normalizeCommand,
  rulesValidateCommand,
  generateCommand,
];
