import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import type { CommandIo } from './io.js';
import type { GlobalOptions } from './runtime.js';

/** The command a module adds its command to: the program, or a group such as `simdock cards`. */
// biome-ignore lint/suspicious/noExplicitAny: a parent's typed options differ per caller.
export type ParentCommand = Command<any, any, any>;

/** What every command module registers with. */
export interface CliContext {
  io: CommandIo;
  /** Receives the exit code each command's `run` returns. */
  setExitCode(code: number): void;
}

/**
 * A command module: `register` declares its command (arguments, options, help) on the parent and
 * calls the module's own `run(options, io)`; a group module declares the group and registers its
 * subcommands.
 */
export interface CommandModule {
  register(parent: ParentCommand, context: CliContext): void;
}

/** The global options `--config` and `--json`, wherever they were written. */
export function globals(command: { optsWithGlobals(): Record<string, unknown> }): {
  config: string | undefined;
  json: boolean;
} {
  const all = command.optsWithGlobals();
  return {
    config: all.config as string | undefined,
    json: Boolean(all.json),
  } satisfies GlobalOptions;
}

/** Parses an option that takes a whole number (0 or more). */
export const wholeNumber = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new InvalidArgumentError(`${name} must be a whole number`);
  }
  return number;
};

/** Adds a group of commands (`simdock cards`, …) and registers its subcommands in order. */
export function addGroup(
  parent: ParentCommand,
  context: CliContext,
  group: { name: string; description: string },
  subcommands: CommandModule[],
): void {
  const command = parent.command(group.name).description(group.description);
  for (const subcommand of subcommands) subcommand.register(command, context);
}
