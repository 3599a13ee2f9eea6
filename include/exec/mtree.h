/*
 * `info mtree`: text dumps of the memory region trees and flat views
 */
#ifndef EXEC_MTREE_H
#define EXEC_MTREE_H

/*
 * Append to @out the text QEMU's HMP `info mtree` prints:
 *  - without @flatview: for each group of address spaces sharing a root
 *    region, their "address-space: NAME" headers (sorted by name) and the
 *    region tree below the root, then a "memory-region: NAME" tree for every
 *    region some alias points to;
 *  - with @flatview (`info mtree -f`): one "FlatView #N" block per distinct
 *    flat view, listing the address spaces using it and its ranges.
 * @owner (`-o`) appends each region's owner/parent object, @disabled (`-D`)
 * also lists disabled regions.
 *
 * Groups and flat views are printed in the order their first address space
 * was created (QEMU prints them in hash-table order).
 */
void mtree_info(GString *out, bool flatview, bool owner, bool disabled);

#endif
