/**
 * Retention: which snapshots a {@code keep-*} policy keeps, with the rules of {@code borg prune}
 * (which Proxmox {@code prune-backups} follows closely). Pure decisions over ids and times: no
 * qcow2, no I/O, so the plan can be shown (a dry run) before anything is deleted, and tested alone.
 *
 * @see io.blksnap.retention.RetentionPlanner
 */
package io.blksnap.retention;
