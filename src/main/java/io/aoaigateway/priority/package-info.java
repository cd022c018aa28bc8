/**
 * Priority classes: which class a call runs in (from its caller's roles, groups or app,
 * or a header that may only lower it), and what each class may use of a deployment's
 * capacity and how long it may wait for it.
 */
@NullMarked
package io.aoaigateway.priority;

import org.jspecify.annotations.NullMarked;
