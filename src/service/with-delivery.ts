/**
 * A monitor whose alerts also go to the channels (webhooks, chat robots, ntfy, e-mail), each
 * incident as one message through the outbox on disk; stopping the monitor stops that too.
 */
import { startDelivery, type DeliveryOptions } from '../delivery/delivery.ts';
import type { MonitorService } from './monitor.ts';

export function withDelivery(service: MonitorService, options: DeliveryOptions): MonitorService {
  const delivery = startDelivery(options);
  delivery.follow(service);
  return {
    handle: (channel, request) => service.handle(channel, request),
    on: (channel, listener) => service.on(channel, listener),
    current: () => service.current(),
    addViewer: () => service.addViewer(),
    setPaused: (paused) => service.setPaused(paused),
    async stop() {
      await service.stop();
      await delivery.stop();
    },
  };
}
