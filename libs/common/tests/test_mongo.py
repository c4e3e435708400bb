"""The embedded store: mongomock through the one factory, with direct _id lookups."""

from kmzb_common.mongo import create_mongo_client


def _collection():
    col = create_mongo_client("mongomock://local")["kmzb"]["things"]
    col.insert_many([{"_id": f"k{i}", "n": i, "unit": "A" if i % 2 else "B"} for i in range(10)])
    return col


def test_id_lookups_still_apply_the_rest_of_the_filter():
    col = _collection()
    assert col.find_one({"_id": "k3"})["n"] == 3
    assert col.find_one({"_id": "k3", "unit": "B"}) is None
    assert col.count_documents({"_id": "missing"}) == 0
    assert sorted(d["n"] for d in col.find({"_id": {"$in": ["k1", "k2", "k2", "nope"]}, "unit": "A"})) == [1]


def test_other_id_operators_fall_back_to_matching_every_document():
    col = _collection()
    assert sorted(d["_id"] for d in col.find({"_id": {"$gte": "k8"}})) == ["k8", "k9"]
    assert col.count_documents({"unit": "A"}) == 5


def test_keyed_upserts_insert_once_and_update_in_place():
    col = _collection()
    for _ in range(3):
        col.update_one({"_id": "new"}, {"$setOnInsert": {"n": 99}, "$inc": {"seen": 1}}, upsert=True)
    assert col.find_one({"_id": "new"}) == {"_id": "new", "n": 99, "seen": 3}
    assert col.count_documents({}) == 11


def test_ttl_expiry_still_removes_old_documents():
    from datetime import UTC, datetime, timedelta

    col = create_mongo_client("mongomock://local")["kmzb"]["ttl"]
    col.create_index("at", expireAfterSeconds=60)
    col.insert_one({"_id": "old", "at": datetime.now(UTC) - timedelta(hours=1)})
    col.insert_one({"_id": "new", "at": datetime.now(UTC)})
    col._store._kmzb_last_expiry = -1.0  # the next access may run the (throttled) expiry scan
    assert sorted(d["_id"] for d in col.find({})) == ["new"]


def test_cursors_yield_the_same_documents_with_skip_limit_sort_and_batches():
    db = create_mongo_client("mongomock://")["kmzb"]
    db.c.insert_many([{"_id": i, "v": i % 7} for i in range(50)])
    assert [d["_id"] for d in db.c.find({"v": 3})] == [3, 10, 17, 24, 31, 38, 45]
    assert [d["_id"] for d in db.c.find({}).sort("_id", -1).skip(5).limit(3)] == [44, 43, 42]
    assert [d["_id"] for d in db.c.find({}).skip(48)] == [48, 49]
    assert [d["_id"] for d in db.c.find({}).skip(60)] == []
    assert len(list(db.c.find({}).batch_size(7))) == 50
    cursor = db.c.find({"v": 0}).limit(2)
    assert [next(cursor)["_id"], next(cursor)["_id"]] == [0, 7]
    try:
        next(cursor)
    except StopIteration:
        pass
    else:
        raise AssertionError("a limited cursor went past its limit")
    assert db.c.find_one({"v": 6}, sort=[("_id", -1)])["_id"] == 48
