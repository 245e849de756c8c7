package com.profilegrid.node.ops;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Asked of every member by the status report: that member's {@link NodeFigures#report()}. */
final class LocalFigures implements Callable<Map<String, Object>>, HazelcastInstanceAware, Serializable {

    private static final long serialVersionUID = 1L;
    private transient HazelcastInstance member;

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.member = hazelcastInstance;
    }

    @Override
    public Map<String, Object> call() {
        Object figures = member.getUserContext().get(NodeFigures.USER_CONTEXT_KEY);
        if (figures instanceof NodeFigures node) {
            return new LinkedHashMap<>(node.report());
        }
        Map<String, Object> unknown = new LinkedHashMap<>();
        unknown.put("member", member.getCluster().getLocalMember().getAddress().toString());
        return unknown;
    }
}
