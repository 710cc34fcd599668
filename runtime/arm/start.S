@===- start.S - Vectors and start-up of the core program ----------------===@
@
@ At ITCM 0 (the APLX loader EXECs address 0, as SARK's cpu_reset). Sets
@ each mode's stack in scnc_stack (App.cpp; FIQ 512 bytes, IRQ 128, the
@ rest System's), zeroes .bss and calls c_main in System mode.
@ SCNC_BOARD: the IRQ entry reads the VIC's vector address, runs the
@ handler in System mode with IRQs masked (FIQs, the packets, still
@ taken) and acknowledges the VIC; the FIQ entry calls scnc_fiq_handler.
@ The qemu build takes no interrupt; its exit is by semihosting.
@
@===----------------------------------------------------------------------===@
        .syntax unified
        .arm
        .section .vectors, "ax"
        .global _start
_start:
        b       reset
        b       .               @ undefined instruction
        b       .               @ SVC (qemu handles semihosting itself)
        b       .               @ prefetch abort
        b       .               @ data abort
        nop
        b       irq_entry
        b       fiq_entry

        .text
reset:
        ldr     r0, =scnc_stack_top
        ldr     r0, [r0]
        msr     cpsr_c, #0xD1           @ FIQ mode, interrupts masked
        mov     sp, r0
        sub     r0, r0, #512
        msr     cpsr_c, #0xD2           @ IRQ mode
        mov     sp, r0
        sub     r0, r0, #128
        msr     cpsr_c, #0xDF           @ System mode
        mov     sp, r0
        ldr     r1, =__bss_start
        ldr     r2, =__bss_end
        mov     r3, #0
1:      cmp     r1, r2
        strlo   r3, [r1], #4
        blo     1b
        bl      c_main
2:      b       2b

#ifdef SCNC_BOARD
        .equ    VIC_VADDR, 0x1F000030
irq_entry:
        sub     lr, lr, #4
        stmfd   sp!, {r0-r3, r12, lr}
        mrs     r0, spsr
        stmfd   sp!, {r0}
        msr     cpsr_c, #0x9F           @ System mode, IRQs masked
        mov     r1, sp
        and     r1, r1, #4              @ 8-byte align the stack (AAPCS)
        sub     sp, sp, r1
        stmfd   sp!, {r1, lr}
        ldr     r0, =VIC_VADDR
        ldr     r0, [r0]
        blx     r0
        ldmfd   sp!, {r1, lr}
        add     sp, sp, r1
        msr     cpsr_c, #0xD2           @ back to IRQ mode
        ldr     r0, =VIC_VADDR
        str     r0, [r0]                @ acknowledge
        ldmfd   sp!, {r0}
        msr     spsr_cxsf, r0
        ldmfd   sp!, {r0-r3, r12, pc}^

fiq_entry:
        sub     lr, lr, #4
        stmfd   sp!, {r0-r3, r12, lr}
        bl      scnc_fiq_handler
        ldmfd   sp!, {r0-r3, r12, pc}^
#else
irq_entry:
fiq_entry:
        b       .
#endif
