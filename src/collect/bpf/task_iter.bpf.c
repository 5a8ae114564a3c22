// vigil's BPF task iterator: one pass over every task, a fixed-size record per task (and one
// per process that has exited threads) written with bpf_seq_write. The fields are those the
// taskstats replies of TaskSweep carry, read raw; the user side (bpf_task_source.cpp) turns
// them into taskstats' units. CO-RE: field offsets come from the running kernel's BTF at
// load time (vmlinux.h marks every type preserve_access_index), and fields a kernel lacks
// read as 0 with a flag saying so. The task is a BTF pointer: its fields, and those of the
// structs it points to, are read by plain loads the verifier guards (a fault reads 0),
// not by a bpf_probe_read_kernel call each, which cost three times as much per task.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "vigil/collect/bpf_task_record.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int vigil_tasks(struct bpf_iter__task* ctx) {
    struct seq_file* seq = ctx->meta->seq;
    struct task_struct* task = ctx->task;
    if (!task) return 0;

    struct vigil_bpf_task_record r = {};
    r.kind = VIGIL_BPF_TASK;
    r.tid = task->pid;
    r.tgid = task->tgid;
    r.ppid = task->real_parent->tgid;
    r.uid = task->real_cred->uid.val;
    r.nice = task->static_prio - 120;
    if (task->exit_state) r.flags |= VIGIL_BPF_EXITING;
    __builtin_memcpy(r.comm, task->comm, sizeof r.comm);
    r.start_ns = task->start_time;
    r.utime_ns = task->utime;
    r.stime_ns = task->stime;
    r.nvcsw = task->nvcsw;
    r.nivcsw = task->nivcsw;
    r.min_flt = task->min_flt;
    r.maj_flt = task->maj_flt;
    r.rchar = task->ioac.rchar;
    r.wchar = task->ioac.wchar;
    r.syscr = task->ioac.syscr;
    r.syscw = task->ioac.syscw;
    if (bpf_core_field_exists(task->ioac.read_bytes)) {
        r.flags |= VIGIL_BPF_IO_ACCT;
        r.read_bytes = task->ioac.read_bytes;
        r.write_bytes = task->ioac.write_bytes;
        r.cancelled_write_bytes = task->ioac.cancelled_write_bytes;
    }
    r.cpu_count = task->sched_info.pcount;
    r.cpu_delay_ns = task->sched_info.run_delay;
    r.run_virtual_ns = task->se.sum_exec_runtime;
    struct task_delay_info* d = task->delays;
    if (d) {
        r.flags |= VIGIL_BPF_DELAYS;
        r.blkio_delay_ns = d->blkio_delay;
        r.swapin_delay_ns = d->swapin_delay;
        r.blkio_count = d->blkio_count;
        r.swapin_count = d->swapin_count;
        if (bpf_core_field_exists(d->wpcopy_count)) r.wpcopy_count = d->wpcopy_count;
    }
    bpf_seq_write(seq, &r, sizeof r);

    // What the kernel kept of the process's exited threads (their delays; on newer kernels
    // their CPU times and switches too), which a TGID query adds to its live threads'.
    if (r.tid != r.tgid) return 0;
    struct taskstats* ts = task->signal->stats;
    if (!ts) return 0;
    struct vigil_bpf_task_record g = {};
    g.kind = VIGIL_BPF_GROUP_EXITED;
    g.tid = r.tid;
    g.tgid = r.tgid;
    g.start_ns = ts->ac_etime;
    g.min_flt = ts->ac_utime;
    g.maj_flt = ts->ac_stime;
    g.nvcsw = ts->nvcsw;
    g.nivcsw = ts->nivcsw;
    g.utime_ns = ts->cpu_run_real_total;
    g.cpu_count = ts->cpu_count;
    g.cpu_delay_ns = ts->cpu_delay_total;
    g.run_virtual_ns = ts->cpu_run_virtual_total;
    g.blkio_delay_ns = ts->blkio_delay_total;
    g.swapin_delay_ns = ts->swapin_delay_total;
    g.blkio_count = ts->blkio_count;
    g.swapin_count = ts->swapin_count;
    if (bpf_core_field_exists(ts->wpcopy_count)) g.wpcopy_count = ts->wpcopy_count;
    bpf_seq_write(seq, &g, sizeof g);
    return 0;
}
