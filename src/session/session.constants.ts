import { Inject } from '@nestjs/common';
import { EventStore } from './event-store.interface';
import { MessageBus } from './message-bus.interface';
import { SessionStore } from './session-store.interface';

export const SESSION_MODULE_OPTIONS = 'SESSION:MODULE_OPTIONS';

/** Injects the configured {@link SessionStore}. */
export const InjectSessionStore = (): ParameterDecorator => Inject(SessionStore);

/** Injects the configured {@link EventStore}. */
export const InjectEventStore = (): ParameterDecorator => Inject(EventStore);

/** Injects the configured {@link MessageBus}. */
export const InjectMessageBus = (): ParameterDecorator => Inject(MessageBus);
