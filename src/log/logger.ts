import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LoggerSettings {
  level: string;
  /** 'auto' means pretty on a terminal, JSON otherwise. */
  format: 'auto' | 'json' | 'pretty';
}

/** Creates the process logger: JSON lines for machines, pino-pretty when a person is watching. */
export function createLogger(settings: LoggerSettings, stream: NodeJS.WritableStream = process.stdout): Logger {
  const pretty = settings.format === 'pretty' || (settings.format === 'auto' && isTerminal(stream));
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: 'tukang' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } },
    });
  }
  return pino(options, stream);
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return 'isTTY' in stream && (stream as { isTTY?: boolean }).isTTY === true;
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
