package io.blksnap.camel;

import java.time.Clock;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/** The options of a blksnap endpoint; set on the component, they are every endpoint's defaults. */
@UriParams
public class BlksnapConfiguration implements Cloneable {

    public static final String DEFAULT_NAME_PATTERN = "auto-%Y%m%d-%H%M%S";
    public static final String DEFAULT_EVENTS = "committed,aborted,recovered";

    @UriParam(label = "producer")
    private BlksnapOperations operation;
    @UriParam(label = "producer", defaultValue = "internal")
    private BlksnapSnapshotType type = BlksnapSnapshotType.internal;
    @UriParam(label = "producer", defaultValue = "false")
    private boolean memory;
    @UriParam(label = "producer")
    private String name;
    @UriParam(label = "producer", defaultValue = DEFAULT_NAME_PATTERN)
    private String namePattern = DEFAULT_NAME_PATTERN;
    @UriParam(label = "producer", defaultValue = "UTC")
    private String timeZone = "UTC";
    @UriParam(label = "producer")
    private String transactionId;
    @UriParam(label = "producer,prune", defaultValue = "0")
    private int keepLast;
    @UriParam(label = "producer,prune", defaultValue = "0")
    private int keepHourly;
    @UriParam(label = "producer,prune", defaultValue = "0")
    private int keepDaily;
    @UriParam(label = "producer,prune", defaultValue = "0")
    private int keepWeekly;
    @UriParam(label = "producer,prune", defaultValue = "0")
    private int keepMonthly;
    @UriParam(label = "producer,prune", defaultValue = "0")
    private int keepYearly;
    @UriParam(label = "producer,prune")
    private String keepWithin;
    @UriParam(label = "producer,prune", defaultValue = "false")
    private boolean dryRun;
    @UriParam(label = "producer", defaultValue = "30s", javaType = "java.time.Duration")
    private long timeout = 30_000;
    @UriParam(label = "consumer", defaultValue = DEFAULT_EVENTS)
    private String events = DEFAULT_EVENTS;
    @UriParam(label = "advanced")
    private Clock clock;

    public BlksnapOperations getOperation() {
        return operation;
    }

    /**
     * The operation to perform: snapshot, delete, list, apply, undo, prune or catalog. The CamelBlksnapOperation
     * header overrides it.
     */
    public void setOperation(BlksnapOperations operation) {
        this.operation = operation;
    }

    public BlksnapSnapshotType getType() {
        return type;
    }

    /**
     * The snapshot type for snapshot: internal (inside each image) or external (a new overlay in each device's
     * overlayDir, named device-name.qcow2, which the device pivots to). The CamelBlksnapType header overrides it.
     */
    public void setType(BlksnapSnapshotType type) {
        this.type = type;
    }

    public String getName() {
        return name;
    }

    /**
     * The snapshot name: for snapshot it overrides namePattern; delete and apply need one (here or in the
     * CamelBlksnapSnapshotName header, which overrides it).
     */
    public void setName(String name) {
        this.name = name;
    }

    public String getNamePattern() {
        return namePattern;
    }

    /**
     * How snapshot names its snapshots when no name is given: a strftime-like pattern of the snapshot time in
     * timeZone (%Y %y %m %d %H %M %S %j %s %%). In an endpoint URI, in YAML parameters or in the endpoint DSL, wrap
     * it in RAW() when it holds a % followed by two hexadecimal digits (such as %d0 or %de), a plus sign or an
     * ampersand, which URI decoding would change; set on the component it is taken as written.
     */
    public void setNamePattern(String namePattern) {
        this.namePattern = namePattern;
    }

    public String getTimeZone() {
        return timeZone;
    }

    /**
     * The time zone of namePattern and of prune's calendar (its hours, days, ISO weeks, months and years).
     */
    public void setTimeZone(String timeZone) {
        this.timeZone = timeZone;
    }

    public String getTransactionId() {
        return transactionId;
    }

    /**
     * The transaction undo compensates; the CamelBlksnapTransactionId header overrides it. undo deletes the snapshots
     * that transaction made, as a new transaction, and is idempotent: a second undo, or an undo of an aborted
     * transaction, succeeds and changes nothing. Without a transaction id but inside a Saga (a Long-Running-Action
     * header), undo compensates the snapshots this component took in that saga. undo sets no header:
     * CamelBlksnapTransactionId keeps naming the undone transaction, so repeating undo is harmless; the body's
     * undoes names it too.
     */
    public void setTransactionId(String transactionId) {
        this.transactionId = transactionId;
    }

    public int getKeepLast() {
        return keepLast;
    }

    /**
     * prune keeps the newest N group snapshots (0: rule off).
     */
    public void setKeepLast(int keepLast) {
        this.keepLast = keepLast;
    }

    public int getKeepHourly() {
        return keepHourly;
    }

    /**
     * prune keeps the newest group snapshot of each of the newest N hours that have one (0: rule off).
     */
    public void setKeepHourly(int keepHourly) {
        this.keepHourly = keepHourly;
    }

    public int getKeepDaily() {
        return keepDaily;
    }

    /**
     * prune keeps the newest group snapshot of each of the newest N days that have one (0: rule off).
     */
    public void setKeepDaily(int keepDaily) {
        this.keepDaily = keepDaily;
    }

    public int getKeepWeekly() {
        return keepWeekly;
    }

    /**
     * prune keeps the newest group snapshot of each of the newest N ISO weeks (Monday to Sunday) that have one
     * (0: rule off).
     */
    public void setKeepWeekly(int keepWeekly) {
        this.keepWeekly = keepWeekly;
    }

    public int getKeepMonthly() {
        return keepMonthly;
    }

    /**
     * prune keeps the newest group snapshot of each of the newest N months that have one (0: rule off).
     */
    public void setKeepMonthly(int keepMonthly) {
        this.keepMonthly = keepMonthly;
    }

    public int getKeepYearly() {
        return keepYearly;
    }

    /**
     * prune keeps the newest group snapshot of each of the newest N years that have one (0: rule off).
     */
    public void setKeepYearly(int keepYearly) {
        this.keepYearly = keepYearly;
    }

    public String getKeepWithin() {
        return keepWithin;
    }

    /**
     * prune keeps every group snapshot newer than now minus this duration: 7d, 12h, 1w2d, 90m, 30s or ISO-8601
     * such as P7D or PT12H.
     */
    public void setKeepWithin(String keepWithin) {
        this.keepWithin = keepWithin;
    }

    public boolean isMemory() {
        return memory;
    }

    /**
     * snapshot saves each running VM's memory (its device state) with its disks, internal snapshots only; an offline
     * device gets a plain internal snapshot. apply loads such a snapshot back into a running VM.
     */
    public void setMemory(boolean memory) {
        this.memory = memory;
    }

    public boolean isDryRun() {
        return dryRun;
    }

    /**
     * prune only reports what it would delete and why, changing nothing. The CamelBlksnapDryRun header overrides
     * it.
     */
    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public long getTimeout() {
        return timeout;
    }

    /**
     * How long a snapshot, delete, apply, undo or prune waits for the group's devices while another transaction of
     * the engine holds them; when it runs out the operation fails with
     * io.blksnap.camel.BlksnapTransactionAbortedException and changes nothing.
     */
    public void setTimeout(long timeout) {
        this.timeout = timeout;
    }

    public String getEvents() {
        return events;
    }

    /**
     * The transaction events the consumer delivers, comma separated: started, step, committed, aborted, recovered.
     */
    public void setEvents(String events) {
        this.events = events;
    }

    public Clock getClock() {
        return clock;
    }

    /**
     * The clock that gives snapshot times, catalog times and prune's now (default: the system clock in UTC); a
     * fixed clock makes retention reproducible.
     */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public BlksnapConfiguration copy() {
        try {
            return (BlksnapConfiguration) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
