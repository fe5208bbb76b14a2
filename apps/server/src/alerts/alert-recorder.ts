import { alertFromEvent, isAlertRaised, type AlertRecord, type AuditEvent, type AuditStore, type EventSink } from '@tessera/core';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

export interface AlertRecorder extends EventSink {
  /** Resolves when every alert emitted so far is stored (or its failure reported). */
  idle(): Promise<void>;
}

export interface AlertRecorderOptions {
  store: Pick<AuditStore, 'insertAlert'>;
  /** Absent when no webhook is configured. */
  webhooks?: Pick<WebhookDispatcher, 'deliver'>;
  /** Told when an alert could not be stored (it is still delivered to the webhooks). */
  onError?: (error: unknown, alert: AlertRecord) => void;
}

/**
 * The EventSink that turns each `security.alert_raised` event into a stored alert (`tessera alerts
 * list`) and hands it to the webhooks at once. Every other event is ignored here (the audit writer
 * stores those). Never throws, never blocks: the write happens in the background.
 */
export function alertRecorder(options: AlertRecorderOptions): AlertRecorder {
  const pending = new Set<Promise<void>>();
  return {
    emit(event: AuditEvent) {
      if (!isAlertRaised(event)) return;
      const alert = alertFromEvent(event);
      options.webhooks?.deliver(alert);
      const write = options.store.insertAlert(alert).catch((error: unknown) => options.onError?.(error, alert));
      pending.add(write);
      void write.finally(() => pending.delete(write));
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
