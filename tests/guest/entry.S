/*
 * The test guest's CPL0 entry: remember the boot arguments, install the
 * IDT, and iretq to ring 3 (IOPL 3) where all the work runs natively.
 * Exception and interrupt stubs funnel into C handlers (guest.c); the
 * #GP handler also emulates ring 3's port I/O where the host does not
 * honour IOPL.
 */
#define SEL_CODE3 (0x18 | 3)
#define SEL_DATA3 (0x20 | 3)
#define RFLAGS_USER 0x3002          /* IOPL=3, reserved bit 1, IF=0 */

    .section .text.entry, "ax"
    .globl _start
_start:
    mov %rdi, boot_cmdline(%rip)
    mov %rsi, boot_low_ram(%rip)
    call cpl0_setup
    pushq $SEL_DATA3
    lea user_stack_top(%rip), %rax
    pushq %rax
    pushq $RFLAGS_USER
    pushq $SEL_CODE3
    lea user_main(%rip), %rax
    pushq %rax
    iretq

/* Save the general registers, call C with the frame, restore, iretq. */
.macro SAVE_AND_CALL handler
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    mov %rsp, %rdi
    call \handler
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp                   /* vector and error code */
    iretq
.endm

/* Exceptions 8, 10-14, 17, 21, 29, 30 push an error code. */
.macro EXC vec
    .align 16
exc_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || \
        (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp exc_common
.endm

    .text
exc_common:
    SAVE_AND_CALL exception_handler

    .globl irq_stub
    .align 16
irq_stub:
    pushq $0
    pushq $0x30
    SAVE_AND_CALL irq_handler

    .altmacro
.macro EXC_ALL from, to
    EXC \from
    .if \to - \from
    EXC_ALL %(\from + 1), \to
    .endif
.endm
    EXC_ALL 0, 31

.macro EXC_ADDR vec
    .quad exc_\vec
.endm
.macro EXC_ADDR_ALL from, to
    EXC_ADDR \from
    .if \to - \from
    EXC_ADDR_ALL %(\from + 1), \to
    .endif
.endm

    .section .rodata
    .globl exception_stubs
    .align 8
exception_stubs:
    EXC_ADDR_ALL 0, 31

    .section .note.GNU-stack, "", @progbits
