export { notificationsRouter } from './notifications-router.js';
