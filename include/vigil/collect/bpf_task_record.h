/* The record vigil's BPF task iterator (src/collect/bpf/task_iter.bpf.c) writes for each
 * task, read back by BpfTaskstats (bpf_task_source.hpp). One header for both sides: the
 * BPF program (C, vmlinux.h's types) and the C++ decoder (decode_bpf_task_record), so the
 * layout cannot drift. Fixed size, every field naturally aligned, no padding left implicit.
 * Raw kernel values: the decoder converts them to taskstats' units and rounding. */
#ifndef VIGIL_COLLECT_BPF_TASK_RECORD_H
#define VIGIL_COLLECT_BPF_TASK_RECORD_H

#ifndef __bpf__
#include <linux/types.h>
#endif

enum vigil_bpf_record_kind {
    /* One task (thread) as it is now. */
    VIGIL_BPF_TASK = 1,
    /* A process's exited threads: its leader's signal->stats (what the kernel keeps of
     * threads that exited, summed: the TGID answer starts from it), written after the
     * leader's task record when the kernel keeps one. Set: tid, tgid, and the fields
     * marked GROUP below, in taskstats' units. */
    VIGIL_BPF_GROUP_EXITED = 2,
};

/* flags */
#define VIGIL_BPF_EXITING 1u   /* task->exit_state set: a zombie, left out of process sums */
#define VIGIL_BPF_DELAYS 2u    /* task->delays present: the delay fields below are read */
#define VIGIL_BPF_IO_ACCT 4u   /* ioac.read_bytes and friends exist (CONFIG_TASK_IO_ACCOUNTING) */

struct vigil_bpf_task_record {
    __u32 kind;  /* enum vigil_bpf_record_kind */
    __u32 flags;
    __s32 tid;   /* task->pid (the initial PID namespace's ids) */
    __s32 tgid;  /* task->tgid */
    __s32 ppid;  /* task->real_parent->tgid */
    __u32 uid;   /* task->real_cred->uid */
    __s32 nice;  /* task->static_prio - 120 */
    __u32 reserved;
    char comm[16];          /* task->comm, NUL-padded */
    __u64 start_ns;         /* task->start_time: CLOCK_MONOTONIC ns; GROUP: ac_etime (us) */
    __u64 utime_ns;         /* task->utime; GROUP: cpu_run_real_total (ns) */
    __u64 stime_ns;         /* task->stime */
    __u64 nvcsw, nivcsw;    /* context switches; GROUP: the same */
    __u64 min_flt, maj_flt; /* page faults; GROUP: ac_utime and ac_stime (us) */
    /* task->ioac */
    __u64 rchar, wchar, syscr, syscw;
    __u64 read_bytes, write_bytes, cancelled_write_bytes;
    /* scheduler (sched_info, se) and task->delays; GROUP: the same fields of signal->stats */
    __u64 cpu_count;       /* sched_info.pcount */
    __u64 cpu_delay_ns;    /* sched_info.run_delay */
    __u64 run_virtual_ns;  /* se.sum_exec_runtime */
    __u64 blkio_delay_ns, swapin_delay_ns;
    __u64 blkio_count, swapin_count, wpcopy_count;
};

#endif
