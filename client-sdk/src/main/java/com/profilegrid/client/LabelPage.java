package com.profilegrid.client;

import java.util.List;

/**
 * A page of a label's members, in profile id order.
 *
 * @param label      the label
 * @param members    member profile ids
 * @param nextCursor the cursor of the next page ({@code null} after the last)
 */
public record LabelPage(String label, List<String> members, String nextCursor) {

    public LabelPage {
        members = List.copyOf(members);
    }
}
