/*
 * Identifiers given by the user (-object ...,id=ID).
 */
#ifndef QEMU_ID_H
#define QEMU_ID_H

/*
 * True if @id is well formed: letters, digits, '-', '.', '_', starting
 * with a letter.
 */
bool id_wellformed(const char *id);

#endif
